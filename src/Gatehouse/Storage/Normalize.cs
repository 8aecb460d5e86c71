namespace Gatehouse.Storage;

/// <summary>Names (sites, users, integrations) match case-insensitively through a normalized column.</summary>
public static class Normalize
{
    public static string Name(string name) => name.Trim().ToUpperInvariant();
}
