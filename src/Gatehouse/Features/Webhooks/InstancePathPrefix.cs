using System.Text.RegularExpressions;

namespace Gatehouse.Features.Webhooks;

/// <summary>
/// The vendor's URLs live under an instance path (<c>/ce_site/VSOC/api/…</c>, <c>/MainApp/VSOC/api/…</c>,
/// Kibana's docs show <c>/elasticsearch/VSOC/api/…</c>): a request whose path has a <c>/VSOC/api/</c>
/// segment after some prefix is served as <c>/VSOC/api/…</c>, the prefix moving to the path base. A base URL
/// typed with a trailing slash (<c>…/VSOC/</c> + <c>/api/…</c>) is served too. Runs before routing, so every
/// webhook route and its logs see the one canonical path.
/// </summary>
public static partial class InstancePathPrefix
{
    [GeneratedRegex("/VSOC/+api/", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    /// <summary>The prefix before <c>/VSOC/api/</c> (any case) and the canonical path from it on, or null when there is nothing to change.</summary>
    public static (string Prefix, string Path)? Split(string? path)
    {
        if (string.IsNullOrEmpty(path) || Marker().Match(path) is not { Success: true } marker)
        {
            return null;
        }
        if (marker.Index == 0 && marker.Length == "/VSOC/api/".Length)
        {
            return null;
        }
        return (path[..marker.Index], string.Concat(path.AsSpan(marker.Index, 5), "/api/", path.AsSpan(marker.Index + marker.Length)));
    }

    public static IApplicationBuilder UseInstancePathPrefix(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (Split(context.Request.Path.Value) is var (prefix, path))
            {
                context.Request.PathBase = context.Request.PathBase.Add(new PathString(prefix));
                context.Request.Path = new PathString(path);
            }
            return next(context);
        });
}
