namespace Gatehouse.Core.Auth;

public enum SiteKind { Internal, Client }

public enum KeyModule { DataIngestion, Integration, UtilityCommand }

/// <summary>
/// How a key's sender proves itself: an API key in a header, a token it signs (JWT), or a signature of the body in the
/// way its vendor signs webhooks — Standard Webhooks, GitHub's, or an HMAC scheme configured per key (<see cref="SignatureScheme"/>) —
/// or, for senders that can set no header at all, a token in the query string (weaker: URLs end up in proxies' logs).
/// </summary>
public enum KeyMethod { ApiKey, Jwt, StandardWebhooks, GitHub, Hmac, QueryToken }

public static class KeyMethods
{
    /// <summary>Keys whose sender signs the body: found by the endpoint they serve, not by a value in the request.</summary>
    public static bool IsSigned(this KeyMethod method) => method is KeyMethod.StandardWebhooks or KeyMethod.GitHub or KeyMethod.Hmac;

    /// <summary>The scheme a signed key verifies: the vendor's for Standard Webhooks and GitHub, the key's own for Hmac.</summary>
    public static SignatureScheme? Scheme(this KeyMethod method, SignatureScheme? configured) => method switch
    {
        KeyMethod.StandardWebhooks => SignatureScheme.StandardWebhooks,
        KeyMethod.GitHub => SignatureScheme.GitHub,
        KeyMethod.Hmac => configured,
        _ => null,
    };
}

/// <summary>
/// A named set of token options. <see cref="StaticToken"/> serves pollers that send one fixed token for months
/// (Microsoft Sentinel's D3 connector): payload fields Username and Site, no Timestamp age check, no one-time use.
/// </summary>
public enum KeyPreset { StaticToken }

public enum ShareScope { AllInternalSites, AllClientSites }

public enum IntakeKind { Event, Incident }

/// <summary>Why a webhook request was refused: recorded for operators, never told to the caller.</summary>
public enum AuthFailureReason
{
    MissingCredentials,
    UnknownKey,
    Disabled,
    WrongModule,
    WrongTarget,
    WrongSite,
    Regenerated,
    JwtDisabled,
    TokenRequired,
    InvalidToken,
    RateLimited,
    SourceNotAllowed,
    InvalidSignature,
}

/// <summary>What a key may be used for.</summary>
public sealed record KeyScope(
    KeyModule Module,
    int? SiteId,
    ShareScope? ShareTo,
    int? IntegrationId,
    IntakeKind? Intake,
    string? Command = null);

/// <summary>The intake endpoint a request names.</summary>
public sealed record IntakeEndpoint(int IntegrationId, IntakeKind Intake, int SiteId, SiteKind SiteKind);

public static class KeyScopeRules
{
    /// <summary>Null when the key may post to the endpoint, else the reason it may not.</summary>
    public static AuthFailureReason? CheckIntake(KeyScope key, IntakeEndpoint endpoint)
    {
        if (key.Module is not (KeyModule.DataIngestion or KeyModule.Integration))
        {
            return AuthFailureReason.WrongModule;
        }
        if (key.IntegrationId != endpoint.IntegrationId || key.Intake != endpoint.Intake)
        {
            return AuthFailureReason.WrongTarget;
        }
        return ServesSite(key, endpoint.SiteId, endpoint.SiteKind) ? null : AuthFailureReason.WrongSite;
    }

    /// <summary>Null when the key may run the command, else the reason it may not.</summary>
    public static AuthFailureReason? CheckCommand(KeyScope key, string command)
    {
        if (key.Module != KeyModule.UtilityCommand)
        {
            return AuthFailureReason.WrongModule;
        }
        return string.Equals(key.Command, command, StringComparison.OrdinalIgnoreCase) ? null : AuthFailureReason.WrongTarget;
    }

    /// <summary>Null when an Integrations key may run this integration command on this site, else why not.</summary>
    public static AuthFailureReason? CheckIntegrationCommand(KeyScope key, int integrationId, string command, int siteId, SiteKind siteKind)
    {
        if (key.Module != KeyModule.Integration)
        {
            return AuthFailureReason.WrongModule;
        }
        if (key.IntegrationId != integrationId || key.Intake is not null || !string.Equals(key.Command, command, StringComparison.OrdinalIgnoreCase))
        {
            return AuthFailureReason.WrongTarget;
        }
        return ServesSite(key, siteId, siteKind) ? null : AuthFailureReason.WrongSite;
    }

    public static bool ServesSite(KeyScope key, int siteId, SiteKind siteKind) => key.ShareTo switch
    {
        ShareScope.AllInternalSites => siteKind == SiteKind.Internal,
        ShareScope.AllClientSites => siteKind == SiteKind.Client,
        _ => key.SiteId == siteId,
    };
}
