using System.Text.Json;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Audit;

public static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyRenamed = "key.renamed";
    public const string KeyAssigned = "key.assigned";
    public const string KeyRegenerated = "key.regenerated";
    public const string KeyRevealed = "key.revealed";
    public const string KeyRevealRefused = "key.reveal_refused";
    public const string KeyEnabled = "key.enabled";
    public const string KeyDisabled = "key.disabled";
    public const string KeyUpdated = "key.updated";
    public const string KeyDeleted = "key.deleted";
    public const string SettingChanged = "setting.changed";
    public const string WebhookAuthFailed = "webhook.auth_failed";
    public const string SignedIn = "user.signed_in";
    public const string SignInFailed = "user.sign_in_failed";
    public const string IngestionRetried = "ingestion.retried";
    public const string ReplayStarted = "ingestion.replay_started";
    public const string ReplayCancelled = "ingestion.replay_cancelled";
    public const string ReplayFinished = "ingestion.replay_finished";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserPasswordReset = "user.password_reset";
    public const string UserPasswordChanged = "user.password_changed";
    public const string UserPasswordChangeRefused = "user.password_change_refused";
    public const string SiteCreated = "site.created";
    public const string SiteUpdated = "site.updated";
    public const string SiteDeleted = "site.deleted";
    public const string UserDeleted = "user.deleted";
    public const string IntegrationCreated = "integration.created";
    public const string IntegrationUpdated = "integration.updated";
    public const string IntegrationDeleted = "integration.deleted";
    public const string ConnectionSaved = "connection.saved";
    public const string ConnectionDeleted = "connection.deleted";
    public const string CommandCreated = "command.created";
    public const string CommandUpdated = "command.updated";
    public const string CommandDeleted = "command.deleted";
    public const string CommandTried = "command.tried";
    public const string RuleCreated = "rule.created";
    public const string RuleUpdated = "rule.updated";
    public const string RuleDeleted = "rule.deleted";
    public const string RulesReordered = "rule.reordered";
    public const string PlaybookCreated = "playbook.created";
    public const string PlaybookUpdated = "playbook.updated";
    public const string PlaybookDeleted = "playbook.deleted";
    public const string PlaybookRunCancelled = "playbook.run_cancelled";
    public const string EventDismissed = "event.dismissed";
    public const string EventReopened = "event.reopened";
    public const string IncidentCreated = "incident.created";
    public const string IncidentUpdated = "incident.updated";
    public const string IncidentClosed = "incident.closed";
    public const string IncidentLinked = "incident.linked";
    public const string IncidentUnlinked = "incident.unlinked";
}

/// <summary>
/// Records what a user did. The entry joins the caller's unit of work, so it is saved in the
/// same transaction as the change it describes. Never give it a secret, token or password.
/// </summary>
public sealed class AuditLog(GatehouseDb db, CurrentUser user, TimeProvider time, IHttpContextAccessor accessor, ClientAddresses addresses)
{
    public void Record(string action, int? keyId = null, string? target = null, object? detail = null) =>
        Add(action, user.Id, user.Username, keyId, target, null, detail);

    /// <summary>
    /// An update's row with what changed (<see cref="Core.Audit.ChangeSet"/> over the two views, which never hold a
    /// secret); false, and no row, when nothing changed.
    /// </summary>
    public bool RecordChange(string action, string target, object before, object after, int? keyId = null)
    {
        var changes = Core.Audit.ChangeSet.Between(ViewJson(before), ViewJson(after));
        if (changes is null)
        {
            return false;
        }
        Add(action, user.Id, user.Username, keyId, target, null, changes);
        return true;
    }

    /// <summary>
    /// Saves a new row and its audit row in one transaction: the row first, so the audit row can name the id it got
    /// and a unique-name race fails on the row's own insert (answered as the 409 for that name).
    /// </summary>
    public async Task SaveCreatedAsync(string action, Func<(string Target, object Detail, int? KeyId)> describe, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var (target, detail, keyId) = describe();
        Record(action, keyId, target, detail);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static System.Text.Json.Nodes.JsonObject ViewJson(object view) =>
        System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(view, view.GetType(), GatehouseJson.Options))!.AsObject();

    /// <summary>For changes made by someone other than the signed-in user: a remote command's or a playbook's acting user.</summary>
    public AuditEntry RecordAs(string action, int? actorUserId, string actor, string? target, object? detail, int? keyId = null) =>
        Add(action, actorUserId, actor, keyId, target, null, detail);

    /// <summary>For requests with no signed-in user yet (a sign-in): the actor is named by the caller.</summary>
    public void RecordFor(string action, int? actorUserId, string actor, string target, string? reason) =>
        Add(action, actorUserId, actor, null, target, reason, null);

    private AuditEntry Add(string action, int? actorUserId, string actor, int? keyId, string? target, string? reason, object? detail)
    {
        var now = time.GetUtcNow();
        var entry = new AuditEntry
        {
            At = now,
            LastAt = now,
            Action = action,
            ActorUserId = actorUserId,
            Actor = Truncate(actor, 200),
            KeyId = keyId,
            Target = Truncate(target, 400),
            Reason = reason,
            SourceAddress = accessor.HttpContext is { } context ? addresses.Of(context)?.ToString() : null,
            DetailJson = detail is null ? null : JsonSerializer.Serialize(detail, GatehouseJson.Options),
        };
        db.AuditEntries.Add(entry);
        return entry;
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
