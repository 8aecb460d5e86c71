using System.Globalization;
using System.Text;

namespace Gatehouse.Core.Auth;

/// <summary>
/// Names people read in the audit log and in confirmations (users, sites) must look like what they are: no control
/// characters, no invisible format characters (zero-width space, right-to-left override, BOM), no line or paragraph
/// separators, and no space other than the plain one, so "admin\u200B" cannot pass for "admin".
/// </summary>
public static class VisibleNames
{
    public static bool HasHiddenCharacters(string name)
    {
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                || (category == UnicodeCategory.SpaceSeparator && rune.Value != ' '))
            {
                return true;
            }
        }
        return false;
    }
}
