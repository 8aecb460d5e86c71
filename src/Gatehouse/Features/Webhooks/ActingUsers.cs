using System.Text.Json;
using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Webhooks;

/// <summary>Who a remote command runs as.</summary>
public static class ActingUsers
{
    /// <summary>
    /// The acting user — for tokens the verified Username claim, for API keys the body's Username, else
    /// the key's assigned user or creator — and the one rule of <see cref="KeyAuthority.CheckRun"/>: the
    /// command runs only where the key, its owners (creator and assignee) and the acting user all have the right.
    /// </summary>
    public static async Task<(UserEntry?, IResult?)> ResolveAsync(
        GatehouseDb db, WebhookDirectory directory, HttpContext context, WebhookAuthenticator authenticator,
        WebhookCaller caller, JsonElement body, SiteEntry site, CancellationToken cancellationToken)
    {
        IResult Unauthorized(AuthFailure failure)
        {
            authenticator.RecordFailure(context, failure);
            return Problems.Create(401, "unauthorized", authenticator.MessageFor(failure.Reason));
        }

        var key = await db.WebhookKeys.AsNoTracking().Where(k => k.Id == caller.KeyId)
            .Select(k => new KeyHolders(k.CreatedByUserId, k.AssignedUserId, k.VisibleToAll)).FirstAsync(cancellationToken);
        var source = caller.Token?.Payload ?? body;
        UserEntry? named = null;
        if (source.TryGetProperty("Username", out var username) && username.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(username.GetString()))
        {
            named = await directory.UserAsync(db, username.GetString()!, cancellationToken);
            if (named is null)
            {
                return (null, Unauthorized(new AuthFailure(AuthFailureReason.InvalidToken, caller.KeyId, TokenProblem.UserNotAllowed)));
            }
        }
        var actingId = named?.Id ?? key.AssignedUserId ?? key.CreatorId;
        // Read fresh (not from the directory cache): one row per distinct user, the acting user often being an owner.
        var users = new Dictionary<int, Grantee?>();
        foreach (var id in new[] { actingId, key.CreatorId, key.AssignedUserId }.OfType<int>().Distinct())
        {
            users[id] = await Grantees.LoadAsync(db, id, cancellationToken);
        }
        var acting = users[actingId];
        var creator = users[key.CreatorId];
        var assignee = key.AssignedUserId is { } assignedId ? users[assignedId] : null;
        var refusal = acting is null || creator is null ? RunRefusal.UserNotAllowed : KeyAuthority.CheckRun(key, creator, assignee, acting, site.Id);
        switch (refusal)
        {
            case RunRefusal.UserNotAllowed:
                return (null, Unauthorized(new AuthFailure(AuthFailureReason.InvalidToken, caller.KeyId, TokenProblem.UserNotAllowed)));
            case RunRefusal.OwnerLacksSite:
                authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.WrongSite, caller.KeyId, Detail: "OwnerLacksSite"));
                return (null, Problems.Forbidden($"This key cannot act on the site '{site.Name}': its creator or its assigned user has no access to that site."));
            case RunRefusal.UserLacksSite:
                authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.WrongSite, caller.KeyId, Detail: "UserLacksSite"));
                return (null, Problems.Forbidden($"The acting user has no access to the site '{site.Name}'."));
        }
        return (new UserEntry(acting!.Id, acting.Username, acting.Enabled), null);
    }
}
