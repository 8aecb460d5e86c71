using Gatehouse.Core.Auth;
using Gatehouse.Core.Commands;
using Gatehouse.Features.Integrations;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Keys;

/// <summary>Checks a key request against the data it names, listing every problem.</summary>
public sealed class KeyValidation(GatehouseDb db, Features.Commands.CommandCatalog catalog, Features.Playbooks.PlaybookLibrary playbooks,
    Microsoft.Extensions.Options.IOptions<Infrastructure.GatehouseOptions> options)
{
    public const int MaxGraceSeconds = 7 * 24 * 3600;
    public const int MaxRatePerSecond = 100_000;

    public sealed record Target(Site? Site, Integration? Integration, string? Command, User? Assigned);

    public async Task<Target> CheckCreateAsync(KeyRequest request, List<string> errors, CancellationToken cancellationToken)
    {
        CheckName(request.Name, errors);
        var module = request.Module ?? KeyModule.DataIngestion;
        CheckRate(request.RateLimitPerSecond, errors);
        CheckTokenOptions(request.Method ?? KeyMethod.ApiKey, request.PayloadFields, request.SampleBody, request.MaxTokenAgeSeconds, request.RejectReplayedTokens, errors);
        CheckPreset(request, module, errors);
        CheckSources(request.AllowedSources, errors);
        CheckSigning(request, module, [options.Value.Webhooks.ApiKeyHeader, options.Value.Webhooks.JwtHeader], errors);
        var assigned = await FindAssignedAsync(request.AssignedUser, errors, cancellationToken);
        if (module == KeyModule.UtilityCommand)
        {
            return new Target(null, null, await CheckCommandTargetAsync(request, errors, cancellationToken), assigned);
        }
        await CheckFormatterAsync(request.DataFormatter, errors, cancellationToken);
        await CheckPlaybookAsync(request.EventPlaybook, request.Intake ?? IntakeKind.Event, errors, cancellationToken);
        var integrationCommand = module == KeyModule.Integration && request.Command is not null;
        var (site, integration) = await CheckIntakeTargetAsync(request, errors, integrationCommand, cancellationToken);
        CheckIntakeOptions(request.Intake, request.RunEventAutomationRules, errors);
        if (!integrationCommand)
        {
            if (request.Method == KeyMethod.Jwt && request.PayloadFields is null && request.SampleBody is null)
            {
                errors.Add("An intake JWT key needs 'payloadFields' (the body's top-level fields the token must carry, e.g. [\"Site\", \"Timestamp\"]) "
                    + "or a 'sampleBody' (its first-level fields are used). To bind nothing, as senders that sign {} need, give \"payloadFields\": [] on purpose.");
            }
            return new Target(site, integration, null, assigned);
        }
        var command = integration is null ? null : IntakeJson.Commands(integration).FirstOrDefault(c => string.Equals(c.Name, request.Command, StringComparison.OrdinalIgnoreCase));
        if (integration is not null && command is null)
        {
            errors.Add($"The integration '{integration.Name}' has no command '{request.Command}'.");
        }
        return new Target(site, integration, command?.Name, assigned);
    }

    public async Task<User?> CheckPatchAsync(WebhookKey key, KeyPatch patch, List<string> errors, CancellationToken cancellationToken)
    {
        if (patch.Name is not null)
        {
            CheckName(patch.Name, errors);
        }
        CheckRate(patch.RateLimitPerSecond is 0 ? null : patch.RateLimitPerSecond, errors);
        if (key.Module == KeyModule.UtilityCommand && HasIntakeOptions(patch.DataFormatter, patch.EventPlaybook, patch.RunMitreTtpSearch, patch.RunEventAutomationRules))
        {
            errors.Add("The intake options (dataFormatter, eventPlaybook, runMitreTtpSearch, runEventAutomationRules) apply to intake keys only.");
        }
        CheckIntakeOptions(key.Intake, patch.RunEventAutomationRules, errors);
        CheckTokenOptions(key.Method, patch.PayloadFields, null, patch.MaxTokenAgeSeconds, patch.RejectReplayedTokens, errors);
        CheckSources(patch.AllowedSources, errors);
        await CheckFormatterAsync(patch.DataFormatter, errors, cancellationToken);
        await CheckPlaybookAsync(patch.EventPlaybook, key.Intake ?? IntakeKind.Event, errors, cancellationToken);
        return string.IsNullOrEmpty(patch.AssignedUser) ? null : await FindAssignedAsync(patch.AssignedUser, errors, cancellationToken);
    }

    public static void CheckGrace(RegenerateRequest? request, List<string> errors)
    {
        if (request?.GraceSeconds is < 0 or > MaxGraceSeconds)
        {
            errors.Add($"'graceSeconds' must be between 0 and {MaxGraceSeconds} (7 days).");
        }
    }

    /// <summary>Key names are unique within their target (an intake, or a command).</summary>
    public Task<bool> NameTakenAsync(string name, int? integrationId, IntakeKind? intake, string? command, int? exceptKeyId, CancellationToken cancellationToken) =>
        db.WebhookKeys.AnyAsync(k => k.Id != exceptKeyId && k.Name == name
            && k.IntegrationId == integrationId && k.Intake == intake && k.Command == command, cancellationToken);

    private static void CheckName(string? name, List<string> errors)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 200 || trimmed.Any(char.IsControl))
        {
            errors.Add("'name' is required (1 to 200 characters).");
        }
    }

    /// <summary>Only a utility command with the Data Formatter feature can be a key's formatter.</summary>
    private async Task CheckFormatterAsync(string? formatter, List<string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(formatter))
        {
            return;
        }
        var command = await catalog.FindAsync(db, formatter, cancellationToken);
        if (command is not { IsDataFormatter: true })
        {
            errors.Add($"'dataFormatter' '{formatter}' is not a utility command with the Data Formatter feature (see GET /api/commands).");
        }
    }

    /// <summary>
    /// An event intake key runs an Event playbook on each new event; an incident intake key runs an
    /// Incident playbook on each new incident (or an Event playbook on each new event in it).
    /// </summary>
    private async Task CheckPlaybookAsync(string? name, IntakeKind intake, List<string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return;
        }
        var playbook = await playbooks.FindAsync(db, name, cancellationToken);
        if (playbook is null)
        {
            errors.Add($"'eventPlaybook' '{name}' is not a playbook (see GET /api/playbooks).");
        }
        else if (intake == IntakeKind.Event && playbook.Kind != Core.Playbooks.PlaybookKind.Event)
        {
            errors.Add($"'eventPlaybook' '{name}' is an {playbook.Kind} playbook; an event intake key runs an Event playbook.");
        }
    }

    private static void CheckTokenOptions(KeyMethod method, List<string>? fields, System.Text.Json.Nodes.JsonNode? sample, int? maxAge, bool? replay, List<string> errors)
    {
        if (method != KeyMethod.Jwt)
        {
            if (fields is not null || sample is not null || maxAge is not null || replay is not null)
            {
                errors.Add("'payloadFields', 'sampleBody', 'maxTokenAgeSeconds' and 'rejectReplayedTokens' apply to JWT keys only.");
            }
            return;
        }
        if (sample is not null and not System.Text.Json.Nodes.JsonObject)
        {
            errors.Add("'sampleBody' must be a JSON object: its first-level members become the payload fields.");
        }
        if (fields is not null)
        {
            Features.Keys.JwtKeys.CheckFields(fields, errors);
        }
        if (maxAge is < 0 or > Features.Keys.JwtKeys.MaxTokenAge)
        {
            errors.Add($"'maxTokenAgeSeconds' must be between 0 (not checked) and {Features.Keys.JwtKeys.MaxTokenAge}.");
        }
    }

    /// <summary>Signed keys serve intake (a vendor signs the webhooks it pushes); an Hmac key says how its sender signs.</summary>
    /// <param name="credentialHeaders">The API key and token headers: a signature there would send the request down their path.</param>
    private static void CheckSigning(KeyRequest request, KeyModule module, IReadOnlyList<string> credentialHeaders, List<string> errors)
    {
        var method = request.Method ?? KeyMethod.ApiKey;
        if (method == KeyMethod.QueryToken && (module == KeyModule.UtilityCommand || (module == KeyModule.Integration && request.Command is not null)))
        {
            errors.Add("A QueryToken key is for intake senders that can set no header; remote commands send their key in a header or a token.");
        }
        if (!method.IsSigned())
        {
            if (request.Secret is not null || request.Signature is not null)
            {
                errors.Add("'secret' and 'signature' apply to signed keys only (method StandardWebhooks, GitHub or Hmac).");
            }
            return;
        }
        if (module == KeyModule.UtilityCommand || (module == KeyModule.Integration && request.Command is not null))
        {
            errors.Add($"A {method} key verifies webhooks a vendor pushes: it is for intake (a Data Ingestion key, or an Integrations key of an intake), not for remote commands.");
        }
        if (request.Preset is not null)
        {
            errors.Add("'preset' applies to JWT keys only.");
        }
        if (request.ShareTo is not null)
        {
            errors.Add("A signed key serves one site: its signature does not cover the site in the URL, so a delivery to one site could be replayed to another. Make a key per site.");
        }
        if (method == KeyMethod.Hmac)
        {
            if (request.Signature is null)
            {
                errors.Add("An Hmac key needs 'signature': how the sender signs (signatureHeader, algorithm, encoding, prefix, timestampHeader, signedPayload, …).");
            }
            else
            {
                foreach (var problem in request.Signature.Problems())
                {
                    errors.Add(problem);
                }
                foreach (var header in new[] { request.Signature.SignatureHeader, request.Signature.TimestampHeader, request.Signature.IdHeader }
                             .Where(h => h is not null && credentialHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)))
                {
                    errors.Add($"'signature': {header} is the header of API keys or tokens here; the sender must sign in another.");
                }
            }
        }
        else if (request.Signature is not null)
        {
            errors.Add($"A {method} key signs as its vendor does: leave 'signature' out (it is for Hmac keys).");
        }
        SignedKeys.CheckSecret(method, request.Secret, errors);
    }

    /// <summary>The static-token preset is for JWT keys of remote commands, and sets the token options itself.</summary>
    private static void CheckPreset(KeyRequest request, KeyModule module, List<string> errors)
    {
        if (request.Preset is not KeyPreset.StaticToken)
        {
            return;
        }
        if (request.Method != KeyMethod.Jwt || !(module == KeyModule.UtilityCommand || (module == KeyModule.Integration && request.Command is not null)))
        {
            errors.Add("The StaticToken preset is for JWT keys of remote commands (a Utility Command key, or an Integrations key that names a command): \"method\": \"Jwt\".");
        }
        if (request.PayloadFields is not null && !request.PayloadFields.Select(f => f.Trim()).Order().SequenceEqual(JwtKeys.StaticTokenFields.Order()))
        {
            errors.Add("The StaticToken preset binds the payload fields Username and Site; leave 'payloadFields' out.");
        }
        if (request.MaxTokenAgeSeconds is > 0 || request.RejectReplayedTokens is true || request.SampleBody is not null)
        {
            errors.Add("The StaticToken preset sets a token that never ages and may repeat; leave 'maxTokenAgeSeconds', 'rejectReplayedTokens' and 'sampleBody' out.");
        }
    }

    private static void CheckSources(List<string>? sources, List<string> errors)
    {
        if (sources is not null)
        {
            errors.AddRange(KeySources.Serialize(sources).Errors);
        }
    }

    private static void CheckRate(int? rate, List<string> errors)
    {
        if (rate is < 1 or > MaxRatePerSecond)
        {
            errors.Add($"'rateLimitPerSecond' must be between 1 and {MaxRatePerSecond}.");
        }
    }

    private async Task<string?> CheckCommandTargetAsync(KeyRequest request, List<string> errors, CancellationToken cancellationToken)
    {
        if (request.Site is not null || request.ShareTo is not null || request.Integration is not null || request.Intake is not null)
        {
            errors.Add("Utility Command keys have no site, shareTo, integration or intake: they target one command.");
        }
        if (HasIntakeOptions(request.DataFormatter, request.EventPlaybook, request.RunMitreTtpSearch, request.RunEventAutomationRules))
        {
            errors.Add("The intake options (dataFormatter, eventPlaybook, runMitreTtpSearch, runEventAutomationRules) apply to intake keys only.");
        }
        if (string.IsNullOrWhiteSpace(request.Command))
        {
            errors.Add($"'command' is required for a Utility Command key: one of {string.Join(", ", BuiltInCommands.Names)}.");
            return null;
        }
        var command = await catalog.FindAsync(db, request.Command, cancellationToken);
        if (command is null)
        {
            errors.Add($"There is no utility command '{request.Command}'. Built-in commands: {string.Join(", ", BuiltInCommands.Names)}; custom ones are listed at /api/commands.");
        }
        return command?.Definition.Name;
    }

    /// <summary>An integration (and a site or shared scope) for intake keys and integration-command keys alike.</summary>
    private async Task<(Site?, Integration?)> CheckIntakeTargetAsync(KeyRequest request, List<string> errors, bool integrationCommand, CancellationToken cancellationToken)
    {
        if (request.Command is not null && !integrationCommand)
        {
            errors.Add("'command' is for Utility Command and Integrations keys; Data Ingestion keys target an integration's intake.");
        }
        if (integrationCommand && request.Intake is not null)
        {
            errors.Add("An Integrations key targets either an intake or a command, not both.");
        }
        if (request.Intake is null && !integrationCommand)
        {
            errors.Add("'intake' is required: Event or Incident (or, for an Integrations key, a 'command' of the integration).");
        }
        Integration? integration = null;
        if (string.IsNullOrWhiteSpace(request.Integration))
        {
            errors.Add("'integration' is required.");
        }
        else if ((integration = await IntegrationsApi.Find(db, request.Integration, cancellationToken)) is null)
        {
            errors.Add($"There is no integration '{request.Integration}'.");
        }
        else if (request.Intake == IntakeKind.Incident && integration.IncidentIntakeJson is null)
        {
            errors.Add($"The integration '{integration.Name}' has no incident intake; define 'incidentIntake' on it first.");
        }
        Site? site = null;
        if ((request.Site is null) == (request.ShareTo is null))
        {
            errors.Add("Give exactly one of 'site' and 'shareTo' (AllInternalSites or AllClientSites).");
        }
        else if (request.Site is not null)
        {
            var normalized = Normalize.Name(request.Site);
            site = await db.Sites.FirstOrDefaultAsync(s => s.NormalizedName == normalized, cancellationToken);
            if (site is null)
            {
                errors.Add($"There is no site '{request.Site}'.");
            }
        }
        return (site, integration);
    }

    private static void CheckIntakeOptions(IntakeKind? intake, bool? runEventAutomationRules, List<string> errors)
    {
        if (intake == IntakeKind.Incident && runEventAutomationRules == true)
        {
            errors.Add("'runEventAutomationRules' does not apply to incident intake: event automation rules run on ingested events only.");
        }
    }

    private static bool HasIntakeOptions(string? formatter, string? playbook, bool? ttp, bool? rules) =>
        !string.IsNullOrEmpty(formatter) || !string.IsNullOrEmpty(playbook) || ttp == true || rules == true;

    private async Task<User?> FindAssignedAsync(string? username, List<string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            return null;
        }
        var normalized = Normalize.Name(username);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        if (user is null)
        {
            errors.Add($"'assignedUser': there is no user '{(username.Length > 100 ? username[..100] + "…" : username)}'.");
        }
        return user;
    }
}
