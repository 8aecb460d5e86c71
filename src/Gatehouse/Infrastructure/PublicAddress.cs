using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Where senders and clients reach this server: <c>Gatehouse:PublicBaseUrl</c> when set, else the address it listens
/// on. Never the request's Host header, which the caller chooses.
/// </summary>
public sealed class PublicAddress(IOptions<GatehouseOptions> options, IServer server)
{
    public const string Fallback = "http://127.0.0.1:5080";

    public string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            return options.Value.PublicBaseUrl.TrimEnd('/');
        }
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (listening is null || !Uri.TryCreate(listening.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost"), UriKind.Absolute, out var address))
        {
            return Fallback;
        }
        return address.GetLeftPart(UriPartial.Authority);
    }
}
