using System.Net;
using Gatehouse.Core.Auth;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Where a request came from — for key allow-lists, sign-in throttling and every recorded source: the connection's address,
/// or behind the operator's trusted proxies the client's (<see cref="ForwardedFor"/>).
/// </summary>
public sealed class ClientAddresses(IOptions<GatehouseOptions> options)
{
    private readonly IReadOnlyList<IPNetwork> _trusted = SourceAllowList.Parse(options.Value.Webhooks.TrustedProxies, "TrustedProxies").Ranges;

    public IPAddress? Of(HttpContext context) =>
        ForwardedFor.Client(context.Connection.RemoteIpAddress, _trusted.Count == 0 ? null : context.Request.Headers["X-Forwarded-For"].ToString(), _trusted);
}
