using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Interop;

/// <summary>
/// Verified senders: deliveries signed by the vendors' own libraries (npm's standardwebhooks and @octokit/webhooks-methods,
/// run with node) and by Slack's documented recipe on a generic HMAC key, sent to the intake's request URL with no API key.
/// </summary>
public abstract class SignedSenderTests(GatehouseFixture fixture)
{
    private const string Site = GatehouseClient.DefaultSite;

    private GatehouseClient Admin => fixture.Admin;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task<(string Integration, JsonNode View, string Secret)> SignedKeyAsync(string method, object? options = null)
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$.alerts[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var request = new JsonObject { ["name"] = Unique.Name(method), ["module"] = "DataIngestion", ["site"] = Site, ["integration"] = integration, ["intake"] = "Event", ["method"] = method };
        foreach (var (name, value) in System.Text.Json.JsonSerializer.SerializeToNode(options ?? new { })!.AsObject())
        {
            request[name] = value?.DeepClone();
        }
        var view = await Admin.PostAsync("/api/keys", request);
        var secret = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["signingSecret"]!.GetValue<string>();
        return (integration, view, secret);
    }

    private async Task<HttpResponseMessage> DeliverAsync(string integration, string body, IReadOnlyDictionary<string, string> headers, string site = Site)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/CreateEvents?wait=10")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await fixture.Factory.CreateClient().SendAsync(request);
    }

    private async Task<IReadOnlyList<string>> RefusalsAsync(JsonNode view) =>
        (await Admin.AuditAsync($"?key={view["id"]}&action=webhook.auth_failed&pageSize=100")).Select(r => r!["reason"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_Standard_Webhooks_delivery_signed_by_the_standardwebhooks_library_is_ingested_once_and_a_redelivery_is_answered_with_the_same_refid()
    {
        var (integration, view, secret) = await SignedKeyAsync("StandardWebhooks");
        Assert.StartsWith("whsec_", secret);
        Assert.Equal("webhook-signature", view["requestHeaderKey"]!.GetValue<string>());
        Assert.Contains("whsec_", view["senderSetup"]!.GetValue<string>());
        const string body = """{"alerts": [{"title": "Impossible travel"}]}""";
        var headers = NodeSenders.Sign("standardwebhooks", [secret], body, "msg_" + Guid.NewGuid().ToString("N"), Now());

        var first = await GatehouseClient.Json(await DeliverAsync(integration, body, headers), HttpStatusCode.OK);
        Assert.Equal("Impossible travel", (await Admin.GetAsync($"/api/events/{first["events"]![0]!["id"]}"))["fields"]!["Title"]!.GetValue<string>());
        var again = await DeliverAsync(integration, body, headers);
        Assert.True(again.IsSuccessStatusCode, $"a redelivery was answered {again.StatusCode}");
        Assert.Equal(first["refid"]!.GetValue<string>(), (await GatehouseClient.Json(again, again.StatusCode))["refid"]!.GetValue<string>());
        var ingestions = await Admin.GetAsync($"/api/ingestions?integration={Uri.EscapeDataString(integration)}");
        Assert.Single(ingestions["items"]!.AsArray());
    }

    [Fact]
    public async Task A_tampered_body_a_stale_timestamp_another_secret_or_no_signature_is_a_401_whose_reason_is_audited()
    {
        var (integration, view, secret) = await SignedKeyAsync("StandardWebhooks");
        const string body = """{"alerts": [{"title": "Signed"}]}""";
        var signed = NodeSenders.Sign("standardwebhooks", [secret], body, "msg_tampered", Now());
        await GatehouseClient.Problem(await DeliverAsync(integration, """{"alerts": [{"title": "Changed"}]}""", signed), HttpStatusCode.Unauthorized);
        var stale = NodeSenders.Sign("standardwebhooks", [secret], body, "msg_stale", Now() - 600);
        await GatehouseClient.Problem(await DeliverAsync(integration, body, stale), HttpStatusCode.Unauthorized);
        var stranger = NodeSenders.Sign("standardwebhooks", ["whsec_" + Convert.ToBase64String(new byte[24])], body, "msg_stranger", Now());
        var refused = await GatehouseClient.Problem(await DeliverAsync(integration, body, stranger), HttpStatusCode.Unauthorized);
        Assert.DoesNotContain("signature", refused["Error"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase); // the caller is told nothing precise
        await GatehouseClient.Problem(await DeliverAsync(integration, body, new Dictionary<string, string>()), HttpStatusCode.Unauthorized);

        var reasons = await RefusalsAsync(view);
        Assert.Contains("InvalidSignature:Mismatch", reasons);
        Assert.Contains("InvalidSignature:StaleTimestamp", reasons);
        Assert.Empty((await Admin.GetAsync($"/api/ingestions?integration={Uri.EscapeDataString(integration)}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task During_a_rotation_deliveries_signed_with_both_secrets_or_the_old_one_within_the_grace_are_accepted()
    {
        var (integration, view, old) = await SignedKeyAsync("StandardWebhooks");
        var vendorSecret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await Admin.PostAsync($"/api/keys/{view["id"]}/regenerate", new { graceSeconds = 3600, secret = vendorSecret }, HttpStatusCode.OK);
        Assert.Equal(vendorSecret, (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["signingSecret"]!.GetValue<string>());
        const string body = """{"alerts": [{"title": "Rotating"}]}""";

        await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("standardwebhooks", [old, vendorSecret], body, "msg_both", Now())), HttpStatusCode.OK);
        await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("standardwebhooks", [old], body, "msg_old", Now())), HttpStatusCode.OK);
        await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("standardwebhooks", [vendorSecret], body, "msg_new", Now())), HttpStatusCode.OK);

        await Admin.PostAsync($"/api/keys/{view["id"]}/regenerate", new { graceSeconds = 0 }, HttpStatusCode.OK);
        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("standardwebhooks", [vendorSecret], body, "msg_retired", Now())), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_GitHub_delivery_signed_by_octokit_is_ingested_and_one_signed_with_another_secret_is_refused()
    {
        const string secret = "It's a Secret to Everybody";
        var (integration, view, stored) = await SignedKeyAsync("GitHub", new { secret });
        Assert.Equal(secret, stored);
        Assert.Equal("X-Hub-Signature-256", view["requestHeaderKey"]!.GetValue<string>());
        const string body = """{"alerts": [{"title": "Secret scanning alert"}], "action": "created"}""";
        var delivery = Guid.NewGuid().ToString();
        var result = await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, delivery, Now())), HttpStatusCode.OK);
        Assert.Single(result["events"]!.AsArray());
        var redelivered = await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, delivery, Now()));
        Assert.Equal(result["refid"]!.GetValue<string>(), (await GatehouseClient.Json(redelivered, redelivered.StatusCode))["refid"]!.GetValue<string>());

        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("github", ["another secret, long enough"], body, Guid.NewGuid().ToString(), Now())), HttpStatusCode.Unauthorized);
        Assert.Contains("InvalidSignature:Mismatch", await RefusalsAsync(view));
    }

    [Fact]
    public async Task A_generic_HMAC_key_configured_as_Slacks_documentation_describes_takes_Slacks_signed_requests()
    {
        const string secret = "8f742231b10e8888abcd99yyyzzz85a5";
        var (integration, view, _) = await SignedKeyAsync("Hmac", new
        {
            secret,
            signature = new { signatureHeader = "X-Slack-Signature", algorithm = "Sha256", encoding = "Hex", prefix = "v0=", timestampHeader = "X-Slack-Request-Timestamp", signedPayload = "v0:{timestamp}:{body}" },
        });
        Assert.Contains("X-Slack-Signature: v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>", view["senderSetup"]!.GetValue<string>());
        const string body = """{"alerts": [{"title": "Slack event"}]}""";
        await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("slack", [secret], body, "", Now())), HttpStatusCode.OK);
        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("slack", [secret], body, "", Now() - 301)), HttpStatusCode.Unauthorized);
        Assert.Contains("InvalidSignature:StaleTimestamp", await RefusalsAsync(view));
    }

    [Fact]
    public async Task A_signed_key_serves_only_its_site_and_a_disabled_or_allow_listed_key_refuses()
    {
        var (integration, view, secret) = await SignedKeyAsync("GitHub");
        var other = await Admin.CreateSiteAsync();
        const string body = """{"alerts": [{"title": "Elsewhere"}]}""";
        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, Guid.NewGuid().ToString(), Now()), other), HttpStatusCode.Unauthorized);

        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{view["id"]}", new { allowedSources = new[] { "203.0.113.0/24" } }), HttpStatusCode.OK);
        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, Guid.NewGuid().ToString(), Now())), HttpStatusCode.Unauthorized);
        Assert.Contains("SourceNotAllowed", await RefusalsAsync(view));

        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{view["id"]}", new { allowedSources = Array.Empty<string>(), enabled = false }), HttpStatusCode.OK);
        await GatehouseClient.Problem(await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, Guid.NewGuid().ToString(), Now())), HttpStatusCode.Unauthorized);
        Assert.Contains("Disabled", await RefusalsAsync(view));
    }

    [Fact]
    public async Task Regression_a_replay_under_a_guessed_delivery_id_does_not_hide_the_real_delivery_with_that_id()
    {
        var (integration, _, secret) = await SignedKeyAsync("GitHub");
        const string captured = """{"alerts": [{"title": "Captured earlier"}]}""", real = """{"alerts": [{"title": "REAL ALERT ransomware"}]}""";
        var replayed = await GatehouseClient.Json(await DeliverAsync(integration, captured, NodeSenders.Sign("github", [secret], captured, "future-guid-1", Now())), HttpStatusCode.OK);
        var delivered = await GatehouseClient.Json(await DeliverAsync(integration, real, NodeSenders.Sign("github", [secret], real, "future-guid-1", Now())), HttpStatusCode.OK);
        Assert.NotEqual(replayed["refid"]!.GetValue<string>(), delivered["refid"]!.GetValue<string>());
        Assert.Equal("REAL ALERT ransomware", (await Admin.GetAsync($"/api/events/{delivered["events"]![0]!["id"]}"))["fields"]!["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_a_signed_key_serves_one_site_because_the_signature_does_not_cover_the_sites_name()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("Shared signed"), module = "DataIngestion", shareTo = "AllClientSites", integration, intake = "Event", method = "GitHub",
        }), HttpStatusCode.BadRequest);
        Assert.Contains("serves one site", problem["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_only_the_keys_owner_may_choose_its_new_secret()
    {
        var (_, view, _) = await SignedKeyAsync("StandardWebhooks");
        var (_, otherAdmin) = await Admin.CreateUserAsync(fixture.Factory, "Administrator");
        var chosen = "whsec_" + Convert.ToBase64String(new byte[24].Select((_, i) => (byte)i).ToArray());
        await GatehouseClient.Problem(await otherAdmin.Http.PostAsJsonAsync($"/api/keys/{view["id"]}/regenerate", new { graceSeconds = 0, secret = chosen }), HttpStatusCode.Forbidden);
        await Admin.PostAsync($"/api/keys/{view["id"]}/regenerate", new { graceSeconds = 0, secret = chosen }, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Regression_when_a_disabled_key_and_its_replacement_share_the_vendors_secret_the_enabled_one_takes_the_delivery()
    {
        const string secret = "the vendor's one secret, 1234";
        var (integration, old, _) = await SignedKeyAsync("GitHub", new { secret });
        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{old["id"]}", new { enabled = false }), HttpStatusCode.OK);
        var replacement = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Replacement"), module = "DataIngestion", site = Site, integration, intake = "Event", method = "GitHub", secret });
        const string body = """{"alerts": [{"title": "After the replacement"}]}""";
        var result = await GatehouseClient.Json(await DeliverAsync(integration, body, NodeSenders.Sign("github", [secret], body, Guid.NewGuid().ToString(), Now())), HttpStatusCode.OK);
        Assert.Equal(replacement["id"]!.GetValue<int>(), (await Admin.GetAsync($"/api/ingestions/{result["refid"]}"))["keyId"]!.GetValue<int>());
    }

    [Fact]
    public async Task Regression_an_unsigned_request_learns_nothing_from_its_content_type()
    {
        var (integration, _, _) = await SignedKeyAsync("GitHub");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents")
        {
            Content = new StringContent("x", Encoding.UTF8, "text/plain"),
        };
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=00");
        await GatehouseClient.Problem(await fixture.Factory.CreateClient().SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Hmac", null, "needs 'signature'")]
    [InlineData("GitHub", "short", "'secret' must be")]
    [InlineData("ApiKey", "a-secret-long-enough-1234", "apply to signed keys only")]
    [InlineData("StandardWebhooks", "whsec_AAAAAAAAAAAAAAAAAAAA", "base64 of at least 16 bytes")]
    [InlineData("Hmac", "a-secret-long-enough-1234", "the header of API keys or tokens", "d3key")]
    [InlineData("Hmac", "a-secret-long-enough-1234", "cannot be Host", "Host")]
    public async Task A_signed_key_that_could_not_verify_is_refused_when_created(string method, string? secret, string expected, string? signatureHeader = null)
    {
        var integration = await Admin.CreateIntegrationAsync();
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new JsonObject
        {
            ["name"] = Unique.Name("Refused"), ["module"] = "DataIngestion", ["site"] = Site, ["integration"] = integration, ["intake"] = "Event",
            ["method"] = method, ["secret"] = secret,
            ["signature"] = signatureHeader is null ? null : new JsonObject { ["signatureHeader"] = signatureHeader },
        }), HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_signed_key_is_for_intake_not_for_remote_commands()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("Signed command"), module = "UtilityCommand", command = "ExtractArtifacts", method = "StandardWebhooks",
        }), HttpStatusCode.BadRequest);
        Assert.Contains("it is for intake", problem["Error"]!.GetValue<string>());
    }
}

public sealed class SignedSenderTestsOnSqlite(SqliteFixture fixture) : SignedSenderTests(fixture), IClassFixture<SqliteFixture>;

public sealed class SignedSenderTestsOnPostgres(PostgresFixture fixture) : SignedSenderTests(fixture), IClassFixture<PostgresFixture>;
