using System.Reflection;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Features.Console;

/// <summary>The web console: server-rendered Razor Pages under <c>/console</c>, with one stylesheet and one script of its own.</summary>
public static class ConsoleSetup
{
    private const string AssetPrefix = "Gatehouse.Features.Console.Assets.";

    public static IServiceCollection AddGatehouseConsole(this IServiceCollection services)
    {
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Features/Console/Pages";
            pages.Conventions.AuthorizeFolder("/", ConsoleAuth.Policy);
            pages.Conventions.AllowAnonymousToPage("/Login");
        });
        return services;
    }

    public static void MapGatehouseConsole(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/console")).ExcludeFromDescription();
        app.MapGet("/console/assets/{name}", Asset).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
    }

    /// <summary>
    /// Console pages may run only the console's own scripts and styles, and may not be framed. The code editor mounts its
    /// stylesheet as a style element: it carries this response's nonce (<see cref="StyleNonce"/>), so no other inline style applies.
    /// </summary>
    public static IApplicationBuilder UseConsoleSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/console"))
        {
            var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            context.Items[StyleNonceKey] = nonce;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
                + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
        }
        return next(context);
    });

    private const string StyleNonceKey = "gatehouse.style-nonce";

    /// <summary>The nonce this response's policy allows style elements with.</summary>
    public static string StyleNonce(HttpContext context) => context.Items[StyleNonceKey] as string ?? "";

    private static IResult Asset(string name, HttpContext context)
    {
        var contentType = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", _ => null };
        var stream = contentType is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream(AssetPrefix + name);
        if (stream is null)
        {
            return Results.NotFound();
        }
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(stream, contentType, entityTag: new EntityTagHeaderValue($"\"{AssetVersion}\""));
    }

    /// <summary>Changes with every build, so browsers revalidate the assets after an upgrade.</summary>
    public static readonly string AssetVersion = Assembly.GetExecutingAssembly().ManifestModule.ModuleVersionId.ToString("N")[..12];
}
