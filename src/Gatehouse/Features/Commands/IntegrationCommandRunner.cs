using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Outbound;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>Runs an integration command: the request template against the site's connection, through the outbound guard.</summary>
public sealed class IntegrationCommandRunner(OutboundHttp outbound, SecretProtector protector)
{
    public async Task<CommandResponse> RunAsync(
        CommandContext context, int integrationId, IntegrationCommand command, JsonObject parameters, CancellationToken cancellationToken)
    {
        var connection = await context.Db.IntegrationConnections.AsNoTracking()
            .FirstOrDefaultAsync(c => c.IntegrationId == integrationId && c.SiteId == context.Site.Id, cancellationToken)
            ?? throw new CommandFailedException($"The integration has no connection for the site '{context.Site.Name}'; set one with PUT /api/integrations/{{name}}/connections/{{site}}.");
        RenderedRequest rendered;
        try
        {
            rendered = RequestTemplates.Render(command.Request, parameters);
        }
        catch (RequestRefusedException ex)
        {
            throw new CommandFailedException(ex.Message);
        }
        using var request = new HttpRequestMessage(new HttpMethod(rendered.Method), connection.BaseUrl + rendered.PathAndQuery);
        if (rendered.Body is not null)
        {
            request.Content = new StringContent(rendered.Body, Encoding.UTF8, "application/json");
        }
        foreach (var (name, value) in rendered.Headers)
        {
            AddHeader(request, name, value);
        }
        Authorize(request, connection);
        try
        {
            var (status, body) = await outbound.SendAsync(request, cancellationToken);
            var raw = TryParse(body);
            if ((int)status is < 200 or > 299)
            {
                return new CommandResponse($"The integration answered HTTP {(int)status}.", null, raw ?? JsonValue.Create(body), null);
            }
            return new CommandResponse("", Select(raw, command.ReturnDataPath), raw ?? JsonValue.Create(body), null);
        }
        catch (OutboundBlockedException ex)
        {
            return CommandResponse.Failed(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return CommandResponse.Failed($"The integration could not be reached: {ex.Message}");
        }
    }

    /// <summary>Templated headers are checked twice: by the renderer (CR, LF, NUL) and by HttpClient's own parser.</summary>
    private static void AddHeader(HttpRequestMessage request, string name, string value)
    {
        try
        {
            if (request.Content is not null && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.Add(name, value);
                return;
            }
            request.Headers.Remove(name);
            request.Headers.Add(name, value);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            throw new CommandFailedException($"The header '{name}' cannot be sent with this value: {ex.Message}");
        }
    }

    private void Authorize(HttpRequestMessage request, IntegrationConnection connection)
    {
        var secret = connection.SecretProtected is null ? null : protector.Unprotect(connection.SecretProtected);
        switch (connection.Auth)
        {
            case ConnectionAuth.HeaderToken:
                request.Headers.Remove(connection.HeaderName!);
                request.Headers.TryAddWithoutValidation(connection.HeaderName!, secret);
                break;
            case ConnectionAuth.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                break;
            case ConnectionAuth.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{connection.Username}:{secret}")));
                break;
        }
    }

    private static JsonNode? Select(JsonNode? raw, string? path)
    {
        if (raw is null || string.IsNullOrWhiteSpace(path))
        {
            return raw?.DeepClone();
        }
        var found = JsonPath.Parse(path).Select(raw);
        return found.Count switch
        {
            0 => null,
            1 => found[0]?.DeepClone(),
            _ => new JsonArray(found.Select(n => n?.DeepClone()).ToArray()),
        };
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
