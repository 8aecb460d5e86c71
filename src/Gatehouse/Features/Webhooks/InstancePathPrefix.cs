namespace Gatehouse.Features.Webhooks;

/// <summary>
/// The vendor's URLs live under an instance path (<c>/ce_site/VSOC/api/…</c>, <c>/MainApp/VSOC/api/…</c>,
/// Kibana's docs show <c>/elasticsearch/VSOC/api/…</c>): a request whose path has a <c>/VSOC/api/</c>
/// segment after some prefix is served as <c>/VSOC/api/…</c>, the prefix moving to the path base.
/// Runs before routing, so every webhook route and its logs see the one canonical path.
/// </summary>
public static class InstancePathPrefix
{
    private const string Marker = "/VSOC/api/";

    /// <summary>The prefix before <c>/VSOC/api/</c> (any case) and the path from it on, or null when there is no prefix.</summary>
    public static (string Prefix, string Path)? Split(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var at = path.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        return at <= 0 ? null : (path[..at], path[at..]);
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
