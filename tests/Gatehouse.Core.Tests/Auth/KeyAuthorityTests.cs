using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

/// <summary>The one rule for keys, as a matrix: role × who is named × acting user × site.</summary>
public sealed class KeyAuthorityTests
{
    private static readonly Grantee Admin = new(1, true, new HashSet<int>());
    private static readonly Grantee OtherAdmin = new(2, true, new HashSet<int>());
    private static readonly Grantee AnalystA = new(3, false, new HashSet<int> { 10 });
    private static readonly Grantee AnalystAB = new(4, false, new HashSet<int> { 10, 20 });
    private static readonly Grantee OtherAnalystA = new(5, false, new HashSet<int> { 10 });
    private static readonly Grantee DisabledA = new(6, false, new HashSet<int> { 10 }, Enabled: false);

    public static TheoryData<string, string, bool> Assignments() => new()
    {
        { "admin", "admin2", true },
        { "admin", "analystAB", true },
        { "analystA", "analystA", true },
        { "analystA", "otherAnalystA", true },
        { "analystA", "analystAB", false },
        { "analystA", "admin", false },
        { "analystAB", "analystA", true },
    };

    private static Grantee Named(string name) => name switch
    {
        "admin" => Admin, "admin2" => OtherAdmin, "analystA" => AnalystA, "analystAB" => AnalystAB, "otherAnalystA" => OtherAnalystA,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Assignments))]
    public void Nobody_assigns_a_new_key_to_a_user_with_rights_they_lack(string actor, string assignee, bool allowed) =>
        Assert.Equal(allowed, KeyAuthority.CheckAssign(Named(actor), Named(assignee), null) is null);

    [Fact]
    public void Only_the_creator_or_the_current_assignee_reassigns_a_key()
    {
        var key = new KeyHolders(CreatorId: Admin.Id, AssignedUserId: AnalystA.Id, VisibleToAll: false);

        Assert.NotNull(KeyAuthority.CheckAssign(OtherAdmin, OtherAdmin, key));
        Assert.Null(KeyAuthority.CheckAssign(Admin, OtherAdmin, key));
        Assert.Null(KeyAuthority.CheckAssign(AnalystA, null, key));
        Assert.NotNull(KeyAuthority.CheckAssign(AnalystA, Admin, key));
    }

    [Fact]
    public void Only_administrators_change_visible_to_all()
    {
        Assert.NotNull(KeyAuthority.CheckVisibleToAll(AnalystA, true, current: false));
        Assert.NotNull(KeyAuthority.CheckVisibleToAll(AnalystA, false, current: true));
        Assert.Null(KeyAuthority.CheckVisibleToAll(AnalystA, false, current: false));
        Assert.Null(KeyAuthority.CheckVisibleToAll(Admin, true, current: false));
    }

    public static TheoryData<string, string, int, RunRefusal?> Runs() => new()
    {
        { "analystA key", "analystA", 10, null },
        { "analystA key", "analystA", 20, RunRefusal.OwnerLacksSite },
        { "analystA key", "admin", 10, RunRefusal.UserNotAllowed },
        { "analystA key assigned analystAB", "analystAB", 20, RunRefusal.OwnerLacksSite },
        { "admin key", "admin", 20, null },
        { "admin key assigned analystA", "analystA", 20, RunRefusal.OwnerLacksSite },
        // The assignee holds the value too: naming the creator does not lift the key above the assignee.
        { "admin key assigned analystA", "admin", 20, RunRefusal.OwnerLacksSite },
        { "admin key assigned analystA", "admin", 10, null },
        { "admin key visible to all", "analystAB", 20, null },
        { "admin key visible to all", "disabledA", 10, RunRefusal.UserNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void A_run_gets_the_intersection_of_the_keys_the_creators_and_the_acting_users_rights(string key, string acting, int site, RunRefusal? expected)
    {
        var creator = key.StartsWith("admin") ? Admin : AnalystA;
        var assigned = key.Contains("assigned analystAB") ? AnalystAB.Id : key.Contains("assigned analystA") ? AnalystA.Id : (int?)null;
        var holders = new KeyHolders(creator.Id, assigned, key.Contains("visible to all"));
        var actingUser = acting == "disabledA" ? DisabledA : Named(acting);

        var assignee = assigned == AnalystAB.Id ? AnalystAB : assigned == AnalystA.Id ? AnalystA : null;

        Assert.Equal(expected, KeyAuthority.CheckRun(holders, creator, assignee, actingUser, site));
    }
}
