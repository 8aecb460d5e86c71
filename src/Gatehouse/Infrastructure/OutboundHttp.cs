using System.Net;
using System.Net.Sockets;
using Gatehouse.Core.Outbound;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>An outbound call was refused before any connection was made.</summary>
public sealed class OutboundBlockedException(string message) : Exception(message);

/// <summary>
/// The HTTP client integration commands use. The target is resolved here and every address is
/// checked before connecting (so DNS cannot point a name at an internal address between check and
/// use); loopback, link-local and private addresses are refused unless the host is allow-listed.
/// Redirects are not followed, calls time out, and responses are capped.
/// </summary>
public sealed class OutboundHttp(IOptions<GatehouseOptions> options)
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options.Value.Outbound, cancellationToken),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var outbound = options.Value.Outbound;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(outbound.TimeoutSeconds));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            if (response.Content.Headers.ContentLength > outbound.MaxResponseBytes)
            {
                throw new OutboundBlockedException($"The response is larger than the limit of {outbound.MaxResponseBytes} bytes.");
            }
            await using var stream = await response.Content.ReadAsStreamAsync(limit.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, limit.Token)) > 0)
            {
                if (buffer.Length + read > outbound.MaxResponseBytes)
                {
                    throw new OutboundBlockedException($"The response is larger than the limit of {outbound.MaxResponseBytes} bytes.");
                }
                buffer.Write(chunk, 0, read);
            }
            return (response.StatusCode, System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OutboundBlockedException($"The call did not answer within {outbound.TimeoutSeconds} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is OutboundBlockedException blocked)
        {
            throw blocked;
        }
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, OutboundOptions outbound, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = AddressRules.IsAllowed(host, outbound.AllowedHosts);
        var usable = addresses.Where(a => AddressRules.IsIp(a.AddressFamily) && (allowed || !AddressRules.IsInternal(a))).ToList();
        if (usable.Count == 0)
        {
            throw new OutboundBlockedException(
                $"Outbound calls to '{host}' are refused: it resolves to a loopback, link-local or private address. Add it to Gatehouse:Outbound:AllowedHosts to allow it.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable.Select(a => (EndPoint)new IPEndPoint(a, context.DnsEndPoint.Port)).First(), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
