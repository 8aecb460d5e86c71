using System.Text;
using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

/// <summary>Webhook signatures checked against the vectors the schemes' own documentation publishes.</summary>
public class SignatureVerifierTests
{
    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    // standard-webhooks/standard-webhooks, spec and libraries' test vector.
    private const string WhSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WhId = "msg_p5jXN8AQM9LWM0D4loKWxJek", WhBody = "{\"test\": 2432232314}";
    private const string WhSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset WhTime = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    private static SignatureCheck StandardWebhooks(string signature, string body = WhBody, DateTimeOffset? now = null, string timestamp = "1614265330", params string[] secrets) =>
        SignatureVerifier.Verify(SignatureScheme.StandardWebhooks, (secrets.Length == 0 ? [WhSecret] : secrets).Select(s => SignatureVerifier.KeyBytes(s, standardWebhooks: true)!).ToList(),
            Headers(("webhook-id", WhId), ("webhook-timestamp", timestamp), ("webhook-signature", signature)), Encoding.UTF8.GetBytes(body), now ?? WhTime);

    [Fact]
    public void The_Standard_Webhooks_vector_verifies_and_its_id_is_the_delivery_id()
    {
        var check = StandardWebhooks(WhSignature);
        Assert.True(check.Verified);
        Assert.Equal(WhId, check.DeliveryId);
    }

    [Fact]
    public void Several_signatures_during_a_rotation_verify_when_any_matches_and_either_secret_of_ours_may_be_the_one()
    {
        Assert.True(StandardWebhooks($"v1,bm9wZQ== v1a,whatever {WhSignature}").Verified);
        Assert.True(StandardWebhooks(WhSignature, secrets: ["whsec_" + Convert.ToBase64String(new byte[24]), WhSecret]).Verified);
        Assert.Equal(SignatureProblem.Mismatch, StandardWebhooks(WhSignature, secrets: ["whsec_" + Convert.ToBase64String(new byte[24])]).Problem);
    }

    [Theory]
    [InlineData("{\"test\": 2432232315}", 0, "1614265330", SignatureProblem.Mismatch)]
    [InlineData(WhBody + " ", 0, "1614265330", SignatureProblem.Mismatch)]
    [InlineData(WhBody, 301, "1614265330", SignatureProblem.StaleTimestamp)]
    [InlineData(WhBody, -301, "1614265330", SignatureProblem.StaleTimestamp)]
    [InlineData(WhBody, 0, "1614265331", SignatureProblem.Mismatch)]
    [InlineData(WhBody, 0, "16142653.30", SignatureProblem.BadTimestamp)]
    [InlineData(WhBody, 0, "", SignatureProblem.MissingTimestamp)]
    public void A_tampered_body_a_stale_or_altered_timestamp_is_refused(string body, int secondsLater, string timestamp, SignatureProblem problem) =>
        Assert.Equal(problem, StandardWebhooks(WhSignature, body, WhTime.AddSeconds(secondsLater), timestamp).Problem);

    [Fact]
    public void Within_the_tolerance_the_timestamp_is_accepted_either_side()
    {
        Assert.True(StandardWebhooks(WhSignature, now: WhTime.AddSeconds(300)).Verified);
        Assert.True(StandardWebhooks(WhSignature, now: WhTime.AddSeconds(-300)).Verified);
    }

    [Fact]
    public void GitHubs_documented_example_verifies_and_a_wrong_prefix_or_case_of_body_does_not()
    {
        // docs.github.com, "Validating webhook deliveries": secret, payload and the signature it gives.
        var key = new[] { SignatureVerifier.KeyBytes("It's a Secret to Everybody", standardWebhooks: false)! };
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        const string signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        Assert.True(SignatureVerifier.Verify(SignatureScheme.GitHub, key, Headers(("X-Hub-Signature-256", signature)), body, WhTime).Verified);
        Assert.True(SignatureVerifier.Verify(SignatureScheme.GitHub, key, Headers(("X-Hub-Signature-256", signature.ToUpperInvariant().Replace("SHA256=", "sha256="))), body, WhTime).Verified);
        Assert.Equal(SignatureProblem.Mismatch, SignatureVerifier.Verify(SignatureScheme.GitHub, key, Headers(("X-Hub-Signature-256", signature[7..])), body, WhTime).Problem);
        Assert.Equal(SignatureProblem.Mismatch, SignatureVerifier.Verify(SignatureScheme.GitHub, key, Headers(("X-Hub-Signature-256", signature)), Encoding.UTF8.GetBytes("hello, World!"), WhTime).Problem);
        Assert.Equal(SignatureProblem.MissingSignature, SignatureVerifier.Verify(SignatureScheme.GitHub, key, Headers(), body, WhTime).Problem);
    }

    [Fact]
    public void A_generic_scheme_configured_as_Slacks_documentation_describes_verifies_Slacks_example()
    {
        // api.slack.com, "Verifying requests from Slack": v0=hex HMAC-SHA256 of "v0:{timestamp}:{body}".
        var slack = new SignatureScheme("X-Slack-Signature", SignatureAlgorithm.Sha256, SignatureEncoding.Hex, "v0=", "X-Slack-Request-Timestamp", 300, "v0:{timestamp}:{body}");
        Assert.Empty(slack.Problems());
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        var headers = Headers(("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"), ("X-Slack-Request-Timestamp", "1531420618"));
        var key = new[] { SignatureVerifier.KeyBytes("8f742231b10e8888abcd99yyyzzz85a5", standardWebhooks: false)! };
        Assert.True(SignatureVerifier.Verify(slack, key, headers, Encoding.UTF8.GetBytes(body), DateTimeOffset.FromUnixTimeSeconds(1531420618 + 10)).Verified);
        Assert.Equal(SignatureProblem.StaleTimestamp, SignatureVerifier.Verify(slack, key, headers, Encoding.UTF8.GetBytes(body), DateTimeOffset.FromUnixTimeSeconds(1531420618 + 301)).Problem);
    }

    [Fact]
    public void Sha512_and_base64_are_configurable()
    {
        var scheme = new SignatureScheme("X-Signature", SignatureAlgorithm.Sha512, SignatureEncoding.Base64);
        var body = Encoding.UTF8.GetBytes("{\"a\":1}");
        var signature = Convert.ToBase64String(System.Security.Cryptography.HMACSHA512.HashData(Encoding.UTF8.GetBytes("s3cret-value-long-enough"), body));
        Assert.True(SignatureVerifier.Verify(scheme, [SignatureVerifier.KeyBytes("s3cret-value-long-enough", standardWebhooks: false)!], Headers(("X-Signature", signature)), body, WhTime).Verified);
    }

    [Theory]
    [InlineData("X Signature", null, null, "{body}", "'signature.signatureHeader'")]
    [InlineData("X-Signature", null, null, "{timestamp}.{body}", "'signature.timestampHeader'")]
    [InlineData("X-Signature", "X-Ts", null, "{body}.{body}", "exactly once")]
    [InlineData("X-Signature", "X-Ts", null, "{timestamp}", "exactly once")]
    [InlineData("X-Signature", null, null, "{id}:{body}", "'signature.idHeader'")]
    [InlineData("X-Signature", null, null, "{nonce}:{body}", "{nonce} is not one of")]
    public void A_scheme_that_could_not_work_is_refused_with_the_member_at_fault(string header, string? timestampHeader, string? idHeader, string payload, string expected) =>
        Assert.Contains(new SignatureScheme(header, TimestampHeader: timestampHeader, IdHeader: idHeader, SignedPayload: payload).Problems(), p => p.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Regression_an_unsigned_delivery_id_is_keyed_with_its_body_so_a_replay_under_it_cannot_hide_the_real_delivery()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        Assert.Equal(WhId, SignatureVerifier.DeliveryKey(SignatureScheme.StandardWebhooks, WhId, body)); // signed: the id as sent
        var replayed = SignatureVerifier.DeliveryKey(SignatureScheme.GitHub, "guid-1", Encoding.UTF8.GetBytes("{\"captured\": 1}"));
        var real = SignatureVerifier.DeliveryKey(SignatureScheme.GitHub, "guid-1", Encoding.UTF8.GetBytes("{\"real\": 1}"));
        Assert.NotEqual(replayed, real);
        Assert.StartsWith("sha256:", real);
        Assert.Equal(real, SignatureVerifier.DeliveryKey(SignatureScheme.GitHub, "guid-1", Encoding.UTF8.GetBytes("{\"real\": 1}")));
        Assert.StartsWith("sha256:", SignatureVerifier.DeliveryKey(SignatureScheme.StandardWebhooks, "msg with spaces", body));
    }

    [Fact]
    public void Entries_of_other_versions_cannot_crowd_out_the_signature_that_matches()
    {
        var junk = string.Join(' ', Enumerable.Repeat("v1a,xxxx", 20));
        Assert.True(StandardWebhooks($"{junk} {WhSignature}").Verified);
    }

    [Theory]
    [InlineData("X-Signature", "X-Ts", "{body}", false, null, "is checked only if it is signed")]
    [InlineData("Host", null, "{body}", false, null, "cannot be Host")]
    [InlineData("X-Signature", "x-signature", "{timestamp}.{body}", false, null, "another header")]
    [InlineData("X-Signature", null, "{body}", true, "v1 ", "cannot hold a space")]
    [InlineData("X-Signature", null, null, false, null, "exactly once")]
    public void A_scheme_that_would_let_a_replay_through_or_could_never_match_is_refused(string header, string? timestampHeader, string? payload, bool several, string? prefix, string expected) =>
        Assert.Contains(new SignatureScheme(header, Prefix: prefix, TimestampHeader: timestampHeader, SignedPayload: payload!, SeveralSignatures: several).Problems(),
            p => p.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void A_new_Standard_Webhooks_secret_is_whsec_and_base64_and_its_key_is_the_decoded_bytes()
    {
        var secret = SignatureVerifier.NewSecret(standardWebhooks: true);
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(24, SignatureVerifier.KeyBytes(secret, standardWebhooks: true)!.Length);
        Assert.Equal(Encoding.UTF8.GetBytes("whsec_plain-secret"), SignatureVerifier.KeyBytes("whsec_plain-secret", standardWebhooks: false));
        Assert.Null(SignatureVerifier.KeyBytes("whsec_AA==", standardWebhooks: true)); // one byte: too weak to sign with
        Assert.Null(SignatureVerifier.KeyBytes("whsec_not base64!", standardWebhooks: true));
    }
}
