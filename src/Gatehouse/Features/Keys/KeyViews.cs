using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Keys;

public sealed record KeyRequest(
    string? Name,
    KeyModule? Module,
    KeyMethod? Method,
    string? Site,
    ShareScope? ShareTo,
    string? Integration,
    IntakeKind? Intake,
    string? AssignedUser,
    bool? Enabled);

/// <summary>A partial update: only the members present change.</summary>
public sealed record KeyPatch(string? Name, bool? Enabled, string? AssignedUser);

public sealed record RequestUrl(string Site, string Url);

public sealed record KeyView(
    int Id,
    string Name,
    KeyModule Module,
    KeyMethod Method,
    string? Site,
    ShareScope? ShareTo,
    string? Integration,
    IntakeKind? Intake,
    string RequestHeaderKey,
    IReadOnlyList<RequestUrl> RequestUrls,
    string? CreatedBy,
    string? AssignedUser,
    bool Enabled,
    DateTimeOffset CreatedAt);

public sealed record KeySecretView(string HeaderValue);

/// <summary>Builds what a viewer sees of a key: its request URL for each site it serves that the viewer may access.</summary>
public sealed class KeyPresenter(IOptions<GatehouseOptions> options, IHttpContextAccessor accessor)
{
    public KeyView Present(WebhookKey key, IReadOnlyList<Site> viewerSites, IReadOnlyDictionary<int, string> usernames)
    {
        var served = viewerSites.Where(s => KeyScopeRules.ServesSite(key.Scope, s.Id, s.Kind)).OrderBy(s => s.Name).ToList();
        var urls = key.Integration is null || key.Intake is null
            ? []
            : served.Select(s => new RequestUrl(s.Name, IntakeUrl(key.Integration.Name, s.Name, key.Intake.Value))).ToList();
        return new KeyView(
            key.Id, key.Name, key.Module, key.Method, key.Site?.Name, key.ShareTo, key.Integration?.Name, key.Intake,
            key.Method == KeyMethod.Jwt ? options.Value.Webhooks.JwtHeader : options.Value.Webhooks.ApiKeyHeader,
            urls,
            usernames.GetValueOrDefault(key.CreatedByUserId),
            key.AssignedUserId is { } assigned ? usernames.GetValueOrDefault(assigned) : null,
            key.Enabled,
            key.CreatedAt);
    }

    private string IntakeUrl(string integration, string site, IntakeKind intake)
    {
        var verb = intake == IntakeKind.Event ? "CreateEvents" : "CreateIncidents";
        return $"{BaseUrl()}/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/{verb}";
    }

    private string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            return options.Value.PublicBaseUrl.TrimEnd('/');
        }
        var request = accessor.HttpContext?.Request;
        return request is null ? "http://127.0.0.1:5080" : $"{request.Scheme}://{request.Host}{request.PathBase}";
    }
}
