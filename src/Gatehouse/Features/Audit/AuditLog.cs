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
}

/// <summary>
/// Records what a user did. The entry joins the caller's unit of work, so it is saved in the
/// same transaction as the change it describes. Never give it a secret, token or password.
/// </summary>
public sealed class AuditLog(GatehouseDb db, CurrentUser user, TimeProvider time, IHttpContextAccessor accessor)
{
    public void Record(string action, int? keyId = null, string? target = null, object? detail = null)
    {
        var now = time.GetUtcNow();
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            LastAt = now,
            Action = action,
            ActorUserId = user.Id,
            Actor = user.Username,
            KeyId = keyId,
            Target = Truncate(target, 400),
            SourceAddress = accessor.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            DetailJson = detail is null ? null : JsonSerializer.Serialize(detail, GatehouseJson.Options),
        });
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
