using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

public sealed class VisibleNamesTests
{
    [Theory]
    [InlineData("admin\u200B")]      // zero-width space: looked like "admin"
    [InlineData("ad\u202Emin")]      // right-to-left override
    [InlineData("admin\u2028x")]     // line separator
    [InlineData("admin\u00A0two")]   // non-breaking space
    [InlineData("\uFEFFadmin")]      // byte-order mark
    [InlineData("ad\tmin")]
    [InlineData("ad\uE000min")]      // private use
    public void Usernames_with_invisible_characters_passed_for_other_users(string name) =>
        Assert.True(VisibleNames.HasHiddenCharacters(name));

    [Theory]
    [InlineData("admin")]
    [InlineData("Security Operations")]
    [InlineData("Jürgen Müller")]
    [InlineData("analyst-2.soc_team")]
    [InlineData("東京 SOC")]
    [InlineData("O'Brien 🙂")]
    public void Visible_names_are_allowed(string name) => Assert.False(VisibleNames.HasHiddenCharacters(name));
}
