using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

public class KeyScopeRulesTests
{
    private static readonly IntakeEndpoint InternalEvents = new(IntegrationId: 1, IntakeKind.Event, SiteId: 10, SiteKind.Internal);

    [Fact]
    public void A_site_key_serves_its_own_site_only()
    {
        var key = new KeyScope(KeyModule.DataIngestion, 10, null, 1, IntakeKind.Event);

        Assert.Null(KeyScopeRules.CheckIntake(key, InternalEvents));
        Assert.Equal(AuthFailureReason.WrongSite, KeyScopeRules.CheckIntake(key, InternalEvents with { SiteId = 11 }));
    }

    [Fact]
    public void Shared_keys_serve_every_site_of_their_kind()
    {
        var toInternal = new KeyScope(KeyModule.Integration, null, ShareScope.AllInternalSites, 1, IntakeKind.Event);
        var toClients = new KeyScope(KeyModule.Integration, null, ShareScope.AllClientSites, 1, IntakeKind.Event);

        Assert.Null(KeyScopeRules.CheckIntake(toInternal, InternalEvents with { SiteId = 99 }));
        Assert.Equal(AuthFailureReason.WrongSite, KeyScopeRules.CheckIntake(toInternal, InternalEvents with { SiteKind = SiteKind.Client }));
        Assert.Null(KeyScopeRules.CheckIntake(toClients, InternalEvents with { SiteKind = SiteKind.Client }));
        Assert.Equal(AuthFailureReason.WrongSite, KeyScopeRules.CheckIntake(toClients, InternalEvents));
    }

    [Fact]
    public void A_key_for_another_integration_or_intake_or_module_is_refused()
    {
        var key = new KeyScope(KeyModule.DataIngestion, 10, null, 1, IntakeKind.Event);

        Assert.Equal(AuthFailureReason.WrongTarget, KeyScopeRules.CheckIntake(key, InternalEvents with { IntegrationId = 2 }));
        Assert.Equal(AuthFailureReason.WrongTarget, KeyScopeRules.CheckIntake(key, InternalEvents with { Intake = IntakeKind.Incident }));
        Assert.Equal(AuthFailureReason.WrongModule, KeyScopeRules.CheckIntake(key with { Module = KeyModule.UtilityCommand }, InternalEvents));
    }

    [Fact]
    public void Api_keys_carry_256_random_bits_and_hash_deterministically()
    {
        var a = WebhookSecrets.NewApiKey();
        var b = WebhookSecrets.NewApiKey();

        Assert.NotEqual(a, b);
        Assert.StartsWith(WebhookSecrets.ApiKeyPrefix, a);
        Assert.Equal(43, a.Length - WebhookSecrets.ApiKeyPrefix.Length); // 32 bytes in unpadded base64url
        Assert.True(WebhookSecrets.HashesEqual(WebhookSecrets.Hash(a), WebhookSecrets.Hash(a)));
        Assert.False(WebhookSecrets.HashesEqual(WebhookSecrets.Hash(a), WebhookSecrets.Hash(b)));
    }
}
