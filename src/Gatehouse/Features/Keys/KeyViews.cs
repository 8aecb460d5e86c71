using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Keys;

public sealed record KeyRequest(
    [property: Required] string? Name,
    KeyModule? Module,
    KeyMethod? Method,
    string? Site,
    ShareScope? ShareTo,
    string? Integration,
    IntakeKind? Intake,
    string? Command,
    string? AssignedUser,
    bool? VisibleToAll,
    string? DataFormatter,
    string? EventPlaybook,
    bool? RunMitreTtpSearch,
    bool? RunEventAutomationRules,
    int? RateLimitPerSecond,
    bool? Enabled,
    List<string>? PayloadFields = null,
    JsonNode? SampleBody = null,
    int? MaxTokenAgeSeconds = null,
    bool? RejectReplayedTokens = null,
    KeyPreset? Preset = null,
    List<string>? AllowedSources = null,
    string? Secret = null,
    SignatureScheme? Signature = null);

/// <summary>A partial update: only the members present change; an empty string clears a name-valued option, 0 the rate.</summary>
public sealed record KeyPatch(
    string? Name,
    bool? Enabled,
    string? AssignedUser,
    bool? VisibleToAll,
    string? DataFormatter,
    string? EventPlaybook,
    bool? RunMitreTtpSearch,
    bool? RunEventAutomationRules,
    int? RateLimitPerSecond,
    List<string>? PayloadFields = null,
    int? MaxTokenAgeSeconds = null,
    bool? RejectReplayedTokens = null,
    List<string>? AllowedSources = null);

/// <param name="Secret">For a signed key: the new secret its vendor gave (one is made when absent).</param>
public sealed record RegenerateRequest(int? GraceSeconds, string? Secret = null);

public sealed record RequestUrl(string? Site, string Url);

public sealed record KeyView(
    int Id,
    string Name,
    KeyModule Module,
    KeyMethod Method,
    string? Site,
    ShareScope? ShareTo,
    string? Integration,
    IntakeKind? Intake,
    string? Command,
    string RequestHeaderKey,
    IReadOnlyList<RequestUrl> RequestUrls,
    string? CreatedBy,
    string? AssignedUser,
    bool VisibleToAll,
    bool Enabled,
    string? DataFormatter,
    string? EventPlaybook,
    bool RunMitreTtpSearch,
    bool RunEventAutomationRules,
    int RateLimitPerSecond,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RegeneratedAt,
    DateTimeOffset? PreviousValueValidUntil,
    string? Kid,
    JsonObject? JwtHeader,
    IReadOnlyList<string>? PayloadFields,
    JsonObject? PayloadTemplate,
    int? MaxTokenAgeSeconds,
    bool? RejectReplayedTokens,
    KeyPreset? Preset,
    IReadOnlyList<string> AllowedSources,
    IReadOnlyList<string> Warnings,
    SignatureScheme? Signature = null,
    string? SenderSetup = null);

/// <summary>An API key's header value, or a JWT key's secret.</summary>
public sealed record KeySecretView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HeaderValue,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SecretKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SigningSecret = null);

/// <summary>Builds what a viewer sees of a key: its request URL for each site it serves that the viewer may access.</summary>
public sealed class KeyPresenter(IOptions<GatehouseOptions> options, PublicAddress address, TimeProvider time)
{
    public KeyView Present(WebhookKey key, IReadOnlyList<Site> viewerSites, IReadOnlyDictionary<int, string> usernames)
    {
        var previousValidUntil = key.PreviousValidUntil > time.GetUtcNow() ? key.PreviousValidUntil : null;
        var isJwt = key.Method == KeyMethod.Jwt;
        var payloadFields = isJwt ? JwtKeys.PayloadFields(key) : null;
        return new KeyView(
            key.Id, key.Name, key.Module, key.Method, key.Site?.Name, key.ShareTo, key.Integration?.Name, key.Intake, key.Command,
            SignedKeys.Scheme(key)?.SignatureHeader ?? key.Method switch
            {
                KeyMethod.Jwt => options.Value.Webhooks.JwtHeader,
                KeyMethod.QueryToken => $"?{WebhookSecrets.QueryTokenParameter}= (query string)",
                _ => options.Value.Webhooks.ApiKeyHeader,
            },
            RequestUrls(key, viewerSites),
            usernames.GetValueOrDefault(key.CreatedByUserId),
            key.AssignedUserId is { } assigned ? usernames.GetValueOrDefault(assigned) : null,
            key.VisibleToAll,
            key.Enabled,
            key.DataFormatter,
            key.EventPlaybook,
            key.RunMitreTtpSearch,
            key.RunEventAutomationRules,
            key.RateLimitPerSecond ?? options.Value.Webhooks.RateLimitPerSecond,
            key.CreatedAt,
            key.RegeneratedAt,
            previousValidUntil,
            isJwt ? key.Kid : null,
            isJwt ? JwtKeys.Header(key.Kid!) : null,
            payloadFields,
            isJwt ? JwtKeys.PayloadTemplate(key, payloadFields!, usernames) : null,
            isJwt ? key.MaxTokenAgeSeconds : null,
            isJwt ? key.RejectReplayedTokens : null,
            key.Preset,
            KeySources.Entries(key.AllowedSourcesJson),
            Warnings(key, payloadFields),
            SignedKeys.Scheme(key),
            SignedKeys.SenderSetup(key));
    }

    private static List<string> Warnings(WebhookKey key, IReadOnlyList<string>? payloadFields)
    {
        var warnings = new List<string>();
        if (payloadFields is { Count: 0 })
        {
            warnings.Add(JwtKeys.BindsNothingWarning);
        }
        if (key.Method == KeyMethod.QueryToken)
        {
            warnings.Add(SignedKeys.QueryTokenWarning);
        }
        if (key.Preset == KeyPreset.StaticToken)
        {
            warnings.Add(key.AllowedSourcesJson is null ? JwtKeys.StaticTokenWarning : JwtKeys.StaticTokenWarning + " Its allow-list limits where it can be used from.");
        }
        return warnings;
    }

    private List<RequestUrl> RequestUrls(WebhookKey key, IReadOnlyList<Site> viewerSites)
    {
        if (key.Module == KeyModule.UtilityCommand)
        {
            return key.Command is null ? [] : [new RequestUrl(null, $"{address.BaseUrl()}/VSOC/api/Command/{Uri.EscapeDataString(key.Command)}")];
        }
        if (key.Integration is null || (key.Intake is null && key.Command is null))
        {
            return [];
        }
        var integration = Uri.EscapeDataString(key.Integration.Name);
        string Url(Site site) => key.Intake is { } intake
            ? $"{address.BaseUrl()}/VSOC/api/Data/{integration}/{Uri.EscapeDataString(site.Name)}/{(intake == IntakeKind.Event ? "CreateEvents" : "CreateIncidents")}"
            : $"{address.BaseUrl()}/VSOC/api/Integration/{integration}/{Uri.EscapeDataString(site.Name)}/{Uri.EscapeDataString(key.Command!)}";
        return viewerSites.Where(s => KeyScopeRules.ServesSite(key.Scope, s.Id, s.Kind)).OrderBy(s => s.Name)
            .Select(s => new RequestUrl(s.Name, Url(s)))
            .ToList();
    }
}
