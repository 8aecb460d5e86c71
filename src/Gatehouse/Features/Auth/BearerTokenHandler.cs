using System.Text.Encodings.Web;
using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

/// <summary>Admin API bearer tokens: opaque random values, stored hashed, with an expiry.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    Sessions sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200)
        {
            return AuthenticateResult.Fail("malformed bearer token");
        }
        var user = await sessions.UserAsync(token, Context.RequestAborted);
        if (user is null)
        {
            return AuthenticateResult.Fail("unknown or expired bearer token");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(UserPrincipal.For(user.Id, user.Username, user.Role, SchemeName, user.MustChangePassword), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(401, "Authentication required: send 'Authorization: Bearer <token>' from POST /api/auth/token.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(403, "Your role does not allow this operation.");

    private Task WriteProblem(int status, string message)
    {
        if (status == 401)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }
        return Problems.WriteAsync(Context, status, message);
    }
}
