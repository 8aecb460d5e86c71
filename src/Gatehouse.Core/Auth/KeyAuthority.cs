namespace Gatehouse.Core.Auth;

/// <summary>A user as authorization sees them: who, whether an administrator, which sites, whether enabled.</summary>
public sealed record Grantee(int Id, bool IsAdministrator, IReadOnlySet<int> SiteIds, bool Enabled = true, string Username = "")
{
    public bool CanAccess(int siteId) => Enabled && (IsAdministrator || SiteIds.Contains(siteId));
}

/// <summary>Who a key lets act: its creator, its assigned user, and everyone when it is visible to all.</summary>
public sealed record KeyHolders(int CreatorId, int? AssignedUserId, bool VisibleToAll)
{
    public bool Names(int userId) => VisibleToAll || userId == CreatorId || userId == AssignedUserId;

    /// <summary>Only these two ever see the key's value.</summary>
    public bool IsOwner(int userId) => userId == CreatorId || userId == AssignedUserId;
}

/// <summary>
/// The one rule for webhook keys: nobody can give a key more power than they have themselves, and
/// a command runs with the intersection of the key's, its creator's and the acting user's rights.
/// Every decision about who may be named on a key, and who may act through it, is made here.
/// </summary>
public static class KeyAuthority
{
    /// <summary>
    /// Whether <paramref name="granter"/> has every right <paramref name="user"/> has: themselves,
    /// any user for an administrator, an analyst whose sites are all the granter's for an analyst.
    /// </summary>
    public static bool Covers(Grantee granter, Grantee user) =>
        granter.Id == user.Id || granter.IsAdministrator || (!user.IsAdministrator && user.SiteIds.IsSubsetOf(granter.SiteIds));

    /// <summary>
    /// Null when <paramref name="actor"/> may make <paramref name="assignee"/> (null: nobody) the
    /// key's assigned user, else why not. On an existing key only its creator or current assignee
    /// reassigns it, so reassigning never hands its value to a third person.
    /// </summary>
    public static string? CheckAssign(Grantee actor, Grantee? assignee, KeyHolders? existing)
    {
        if (existing is not null && !existing.IsOwner(actor.Id))
        {
            return "Only the key's creator or its assigned user can change its assigned user (the assigned user sees the key's value).";
        }
        if (assignee is not null && !Covers(actor, assignee))
        {
            return assignee.IsAdministrator
                ? "Only an administrator can assign a key to an administrator: nobody can give a key more rights than they have."
                : "You can assign a key only to a user whose sites you can all access: nobody can give a key more rights than they have.";
        }
        return null;
    }

    /// <summary>Null when <paramref name="actor"/> may set visibleToAll, which lets any user, administrators included, act through the key.</summary>
    public static string? CheckVisibleToAll(Grantee actor, bool? visibleToAll, bool current) =>
        visibleToAll is { } wanted && wanted != current && !actor.IsAdministrator
            ? "Only administrators can change 'visibleToAll': a key visible to all lets any user, administrators included, act through it."
            : null;

    /// <summary>
    /// Null when <paramref name="actor"/> may change what binds the key's tokens (payload fields, replay
    /// rejection, token age): weakening them opens the key to captured tokens, so only its owners may.
    /// </summary>
    public static string? CheckTokenBinding(Grantee actor, KeyHolders key, bool changing) =>
        changing && !key.IsOwner(actor.Id)
            ? "Only the key's creator or its assigned user can change how its tokens are bound (payloadFields, rejectReplayedTokens, maxTokenAgeSeconds)."
            : null;

    /// <summary>
    /// Null when a command may run through the key on <paramref name="siteId"/> as <paramref name="acting"/>,
    /// else why not. Whoever presents the key's value is one of its owners — its creator or its assigned
    /// user, and nobody can tell which — so the key acts only where both can act; the acting user must
    /// be one the key names, enabled, and able to access the site too.
    /// </summary>
    public static RunRefusal? CheckRun(KeyHolders key, Grantee creator, Grantee? assignee, Grantee acting, int siteId)
    {
        if (!acting.Enabled || !key.Names(acting.Id))
        {
            return RunRefusal.UserNotAllowed;
        }
        if (!creator.CanAccess(siteId) || (key.AssignedUserId is not null && assignee?.CanAccess(siteId) != true))
        {
            return RunRefusal.OwnerLacksSite;
        }
        return acting.CanAccess(siteId) ? null : RunRefusal.UserLacksSite;
    }
}

public enum RunRefusal { UserNotAllowed, OwnerLacksSite, UserLacksSite }
