namespace Gatehouse.Core.Attack;

/// <summary>
/// Whether a field is meant to carry techniques, judged by the words of its own name (and, for a field called
/// <c>name</c> or <c>id</c>, its parent's: <c>threat.technique.name</c>) — never by a word hidden in a longer one
/// ("tactical") or by an ancestor far above it. A technique's name elsewhere is an ordinary word: "PowerShell" as a
/// provider, "Security Account Manager" as an object server.
/// </summary>
public static class FieldNames
{
    /// <param name="field">A JSON path as TTP search writes them (<c>$['threat']['technique']['name']</c>) or a mapped field's name.</param>
    public static bool CarriesTechniques(string field, IReadOnlySet<string> words)
    {
        var keys = Keys(field);
        if (keys.Count == 0)
        {
            return false;
        }
        if (Words(keys[^1]).Any(words.Contains))
        {
            return true;
        }
        return keys.Count >= 2 && keys[^1] is var leaf && (leaf.Equals("name", StringComparison.OrdinalIgnoreCase) || leaf.Equals("id", StringComparison.OrdinalIgnoreCase))
            && Words(keys[^2]).Any(words.Contains);
    }

    /// <summary>The object keys of a path (<c>$['a']['b'][0]</c> → a, b), or the mapped field's name itself.</summary>
    private static List<string> Keys(string field)
    {
        if (!field.StartsWith("$", StringComparison.Ordinal))
        {
            return [field];
        }
        var keys = new List<string>();
        var at = 0;
        while ((at = field.IndexOf("['", at, StringComparison.Ordinal)) >= 0)
        {
            var end = field.IndexOf("']", at + 2, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }
            keys.Add(field[(at + 2)..end]);
            at = end + 2;
        }
        return keys;
    }

    /// <summary>A name's words: split at separators and lower-to-upper case changes (<c>mitre_technique</c>, <c>attackTechnique</c>).</summary>
    private static IEnumerable<string> Words(string name)
    {
        var word = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1])))
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
                if (!char.IsLetterOrDigit(c))
                {
                    continue;
                }
            }
            word.Append(c);
        }
        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
