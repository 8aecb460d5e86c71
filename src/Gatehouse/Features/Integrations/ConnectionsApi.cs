using System.ComponentModel.DataAnnotations;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Integrations;

/// <summary>The secret is write-only: given to set it, never returned.</summary>
public sealed record ConnectionRequest([property: Required] string? BaseUrl, ConnectionAuth? Auth, string? HeaderName, string? Username, string? Secret);

public sealed record ConnectionView(string Site, string BaseUrl, ConnectionAuth Auth, string? HeaderName, string? Username, bool HasSecret, DateTimeOffset UpdatedAt);

public static class ConnectionsApi
{
    public static void MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/integrations/{name}/connections").WithTags("Integrations").RequireAuthorization();
        group.MapGet("/", List).WithName("ListConnections").WithSummary("List the integration's connections for your sites (secrets are never returned).").WithListPaging();
        group.MapPut("/{site}", Put).RequireAuthorization(Policies.Administrator)
            .WithName("PutConnection").WithSummary("Create or replace the integration's connection for a site (base URL and credentials; the secret is write-only).");
        group.MapDelete("/{site}", Delete).RequireAuthorization(Policies.Administrator)
            .WithName("DeleteConnection").WithSummary("Delete the integration's connection for a site: its commands stop working there.");
    }

    internal static async Task<Results<Ok<List<ConnectionView>>, ProblemHttpResult>> List(string name, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var integration = await IntegrationsApi.Find(db, name, cancellationToken);
        if (integration is null)
        {
            return Problems.NotFound($"There is no integration '{name}'.");
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var connections = await db.IntegrationConnections.AsNoTracking().Include(c => c.Site)
            .Where(c => c.IntegrationId == integration.Id && sites.Contains(c.SiteId)).OrderBy(c => c.SiteId).ToListAsync(cancellationToken);
        return TypedResults.Ok(connections.Select(View).ToList());
    }

    internal static async Task<Results<Ok<ConnectionView>, ProblemHttpResult>> Put(
        string name, string site, ConnectionRequest request, GatehouseDb db, SecretProtector protector, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var integration = await IntegrationsApi.Find(db, name, cancellationToken);
        var normalizedSite = Normalize.Name(site);
        var siteRow = await db.Sites.FirstOrDefaultAsync(s => s.NormalizedName == normalizedSite, cancellationToken);
        if (integration is null || siteRow is null)
        {
            return Problems.NotFound(integration is null ? $"There is no integration '{name}'." : $"There is no site '{site}'.");
        }
        var connection = await db.IntegrationConnections.FirstOrDefaultAsync(c => c.IntegrationId == integration.Id && c.SiteId == siteRow.Id, cancellationToken);
        var auth = request.Auth ?? ConnectionAuth.None;
        var hasSecret = !string.IsNullOrEmpty(request.Secret) || connection?.SecretProtected is not null;
        var errors = new List<string>();
        if (!Uri.TryCreate(request.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(baseUrl.Query))
        {
            errors.Add("'baseUrl' must be an absolute http or https URL without a query.");
        }
        else if (!string.IsNullOrEmpty(baseUrl.UserInfo))
        {
            errors.Add("'baseUrl' must not carry credentials (user:password@): give them as 'auth' with 'username' and 'secret', which are stored encrypted.");
        }
        foreach (var (member, value, limit) in new[] { ("baseUrl", request.BaseUrl, 2048), ("headerName", request.HeaderName, 200), ("username", request.Username, 200), ("secret", request.Secret, 8192) })
        {
            if (value?.Length > limit)
            {
                errors.Add($"'{member}' is longer than {limit} characters.");
            }
        }
        if (request.HeaderName is { Length: > 0 } headerName && !Core.Outbound.RequestTemplates.IsHeaderName(headerName))
        {
            errors.Add("'headerName' must be a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~).");
        }
        if (request.Secret is { } secret && secret.Any(char.IsControl))
        {
            errors.Add("'secret' must not contain CR, LF, NUL or other control characters.");
        }
        if (request.Username is { } username && username.Any(c => char.IsControl(c) || c == ':'))
        {
            errors.Add("'username' must not contain ':' or control characters.");
        }
        if (auth == ConnectionAuth.HeaderToken && string.IsNullOrWhiteSpace(request.HeaderName))
        {
            errors.Add("'headerName' is required for HeaderToken authentication.");
        }
        if (auth == ConnectionAuth.Basic && string.IsNullOrWhiteSpace(request.Username))
        {
            errors.Add("'username' is required for Basic authentication.");
        }
        if (auth != ConnectionAuth.None && !hasSecret)
        {
            errors.Add("'secret' is required for this authentication.");
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = connection is null ? null : Audited(View(connection), secretReplaced: false);
        if (connection is null)
        {
            connection = new IntegrationConnection { IntegrationId = integration.Id, SiteId = siteRow.Id, BaseUrl = "" };
            db.IntegrationConnections.Add(connection);
        }
        connection.BaseUrl = baseUrl!.ToString().TrimEnd('/');
        connection.Auth = auth;
        connection.HeaderName = request.HeaderName?.Trim();
        connection.Username = request.Username;
        if (!string.IsNullOrEmpty(request.Secret))
        {
            connection.SecretProtected = protector.Protect(request.Secret);
        }
        if (auth == ConnectionAuth.None)
        {
            connection.SecretProtected = null;
        }
        connection.Site = siteRow;
        var after = Audited(View(connection), secretReplaced: !string.IsNullOrEmpty(request.Secret));
        var target = $"{integration.Name} / {siteRow.Name}";
        if (before is null)
        {
            audit.Record(Audit.AuditActions.ConnectionSaved, target: target, detail: after);
        }
        else if (!audit.RecordChange(Audit.AuditActions.ConnectionSaved, target, before, after))
        {
            return TypedResults.Ok(View(connection));
        }
        connection.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(connection));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, string site, GatehouseDb db, Audit.AuditLog audit, CancellationToken cancellationToken)
    {
        var integration = await IntegrationsApi.Find(db, name, cancellationToken);
        var normalizedSite = Normalize.Name(site);
        var connection = integration is null ? null : await db.IntegrationConnections.Include(c => c.Site)
            .FirstOrDefaultAsync(c => c.IntegrationId == integration.Id && c.Site!.NormalizedName == normalizedSite, cancellationToken);
        if (connection is null)
        {
            return Problems.NotFound(integration is null ? $"There is no integration '{name}'." : $"The integration '{integration.Name}' has no connection for the site '{site}'.");
        }
        audit.Record(Audit.AuditActions.ConnectionDeleted, target: $"{integration!.Name} / {connection.Site!.Name}", detail: View(connection));
        db.IntegrationConnections.Remove(connection);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>What an audit row keeps of a connection: never the secret, only whether this change replaced it.</summary>
    private static object Audited(ConnectionView view, bool secretReplaced) =>
        new { view.Site, view.BaseUrl, view.Auth, view.HeaderName, view.Username, view.HasSecret, SecretReplaced = secretReplaced };

    private static ConnectionView View(IntegrationConnection connection) =>
        new(connection.Site!.Name, connection.BaseUrl, connection.Auth, connection.HeaderName, connection.Username, connection.SecretProtected is not null, connection.UpdatedAt);
}
