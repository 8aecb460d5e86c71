namespace Gatehouse.Core.Intake;

public static class ContentTypes
{
    /// <summary>application/json, text/json or any +json type, in UTF-8 (the default) when a charset is named.</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }
        var parts = contentType.Split(';', StringSplitOptions.TrimEntries);
        var mediaType = parts[0].ToLowerInvariant();
        var isJson = mediaType is "application/json" or "text/json"
            || (mediaType.StartsWith("application/", StringComparison.Ordinal) && mediaType.EndsWith("+json", StringComparison.Ordinal));
        if (!isJson)
        {
            return false;
        }
        foreach (var parameter in parts.Skip(1))
        {
            var pair = parameter.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length == 2 && pair[0].Equals("charset", StringComparison.OrdinalIgnoreCase)
                && !pair[1].Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !pair[1].Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }
}
