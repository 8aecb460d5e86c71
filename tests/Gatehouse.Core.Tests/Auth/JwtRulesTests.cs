using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

public class JwtRulesTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_764_400_000);

    [Theory]
    [InlineData("""{"a":1,"b":[1,2]}""", """{"b":[1,2],"a":1}""", true)]
    [InlineData("""1""", """1.0""", true)]
    [InlineData("""1e2""", """100""", true)]
    [InlineData("""0.1""", """0.10""", true)]
    [InlineData("""123456789012345678901234567890""", """1.23456789012345678901234567890e29""", true)]
    [InlineData("\"caf\\u00e9\"", "\"café\"", true)]
    [InlineData("\"A\"", "\"a\"", false)]
    [InlineData("""[1,2]""", """[2,1]""", false)]
    [InlineData("""{"a":1}""", """{"a":1,"b":2}""", false)]
    [InlineData("""1""", "\"1\"", false)]
    [InlineData("""null""", """false""", false)]
    [InlineData("""{"a":{"x":[true,null]}}""", """{"a":{"x":[true,null]}}""", true)]
    [InlineData("""1e400""", """9e999""", false)]
    [InlineData("""1e400""", """10e399""", true)]
    [InlineData("""1.0000000000000000000000000000001""", """1""", false)]
    [InlineData("""9007199254740993""", """9007199254740992""", false)]
    [InlineData("""-0""", """0.0e5""", true)]
    [InlineData("""-1""", """1""", false)]
    [InlineData("""0.001""", """1e-3""", true)]
    [InlineData("""1e-400""", """0""", false)]
    public void Json_values_compare_by_meaning(string a, string b, bool equal) =>
        Assert.Equal(equal, JsonEquality.AreEqual(Json(a), Json(b)));

    [Fact]
    public void Replay_identity_is_the_same_for_every_encoding_of_one_signature()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        Assert.Equal(JwtRules.ReplayIdentity(token), JwtRules.ReplayIdentity(token + "="));
        Assert.Equal(JwtRules.ReplayIdentity(token), JwtRules.ReplayIdentity(token + "=="));
        Assert.NotEqual(JwtRules.ReplayIdentity(token), JwtRules.ReplayIdentity(token[..^1] + "Y"));
        Assert.NotEqual(JwtRules.ReplayIdentity(token), JwtRules.ReplayIdentity(token.Replace(".eyJhIjoxfQ.", ".eyJhIjoyfQ.")));
    }

    [Fact]
    public void Objects_with_a_repeated_member_are_never_equal()
    {
        Assert.False(JsonEquality.AreEqual(Json("""{"a":1,"a":2}"""), Json("""{"a":2}""")));
    }

    [Theory]
    [InlineData("""{"alg":"HS256","kid":"k","typ":"JWT"}""", TokenProblem.None)]
    [InlineData("""{"alg":"HS256","kid":"k"}""", TokenProblem.None)]
    [InlineData("""{"alg":"HS256","kid":"k","typ":"jwt"}""", TokenProblem.None)]
    [InlineData("""{"alg":"none","kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"alg":"hs256","kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"alg":"HS512","kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"alg":"RS256","kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"alg":["HS256"],"kid":"k"}""", TokenProblem.AlgorithmNotAllowed)]
    [InlineData("""{"alg":"HS256","kid":"k","typ":"JOSE"}""", TokenProblem.TypeNotAllowed)]
    [InlineData("""{"alg":"HS256","kid":"k","jku":"http://x"}""", TokenProblem.ForbiddenHeader)]
    [InlineData("""{"alg":"HS256","kid":"k","x5u":"http://x"}""", TokenProblem.ForbiddenHeader)]
    [InlineData("""{"alg":"HS256","kid":"k","jwk":{}}""", TokenProblem.ForbiddenHeader)]
    [InlineData("""{"alg":"HS256","kid":"k","crit":["exp"]}""", TokenProblem.ForbiddenHeader)]
    [InlineData("""{"alg":"HS256"}""", TokenProblem.MissingKid)]
    [InlineData("""{"alg":"HS256","kid":""}""", TokenProblem.MissingKid)]
    [InlineData("""{"alg":"HS256","kid":7}""", TokenProblem.MissingKid)]
    [InlineData("""[]""", TokenProblem.Malformed)]
    public void Headers_are_held_to_HS256_a_kid_and_no_key_pointers(string header, TokenProblem expected) =>
        Assert.Equal(expected, JwtRules.CheckHeader(Json(header), out _));

    [Theory]
    [InlineData("""{}""", TokenProblem.None)]
    [InlineData("""{"exp":1764400100}""", TokenProblem.None)]
    [InlineData("""{"exp":1764399980}""", TokenProblem.None)]
    [InlineData("""{"exp":1764399960}""", TokenProblem.Expired)]
    [InlineData("""{"exp":"tomorrow"}""", TokenProblem.Expired)]
    [InlineData("""{"nbf":1764400020}""", TokenProblem.None)]
    [InlineData("""{"nbf":1764400060}""", TokenProblem.NotYetValid)]
    [InlineData("""{"iat":1764400060}""", TokenProblem.IssuedInFuture)]
    [InlineData("""{"iat":1764300000}""", TokenProblem.None)]
    public void Time_claims_are_honoured_with_30_seconds_of_skew(string payload, TokenProblem expected) =>
        Assert.Equal(expected, JwtRules.CheckTimeClaims(Json(payload), Now));

    [Theory]
    [InlineData("""{"Timestamp":1764400000}""", 300, TokenProblem.None)]
    [InlineData("""{"Timestamp":1764399700.25}""", 300, TokenProblem.None)]
    [InlineData("""{"Timestamp":1764399660}""", 300, TokenProblem.TimestampStale)]
    [InlineData("""{"Timestamp":1764400029.9}""", 300, TokenProblem.None)]
    [InlineData("""{"Timestamp":1764400100}""", 300, TokenProblem.TimestampInFuture)]
    [InlineData("""{"Timestamp":1}""", 0, TokenProblem.None)]
    [InlineData("""{"Timestamp":"1764400000"}""", 300, TokenProblem.None)]
    [InlineData("""{"Timestamp":"2025-11-29 07:06:40"}""", 300, TokenProblem.None)]
    [InlineData("""{"Timestamp":"2025-11-29 06:56:40"}""", 300, TokenProblem.TimestampStale)]
    [InlineData("""{"Timestamp":"yesterday"}""", 300, TokenProblem.TimestampMissing)]
    [InlineData("""{"Timestamp":true}""", 300, TokenProblem.TimestampMissing)]
    [InlineData("""{}""", 300, TokenProblem.TimestampMissing)]
    public void Timestamp_is_a_recent_epoch_number_or_a_text_time_as_Sentinel_sends_it(string payload, int maxAge, TokenProblem expected) =>
        Assert.Equal(expected, JwtRules.CheckTimestamp(Json(payload), Now, maxAge));

    [Fact]
    public void Every_payload_field_binds_the_token_to_the_body()
    {
        var body = Json("""{"Site":"SOC","Timestamp":1764400000.5,"Params":{"a":1,"b":[true]},"Other":"x"}""");

        Assert.Equal(TokenProblem.None, JwtRules.CheckBinding(Json("""{"Params":{"b":[true],"a":1.0},"Site":"SOC","Timestamp":1764400000.50}"""), body, ["Site", "Timestamp", "Params"]));
        Assert.Equal(TokenProblem.PayloadFieldMissing, JwtRules.CheckBinding(Json("""{"Site":"SOC"}"""), body, ["Site", "Timestamp"]));
        Assert.Equal(TokenProblem.PayloadFieldMismatch, JwtRules.CheckBinding(Json("""{"Site":"soc"}"""), body, ["Site"]));
        Assert.Equal(TokenProblem.PayloadFieldMismatch, JwtRules.CheckBinding(Json("""{"Missing":1}"""), body, ["Missing"]));
        Assert.Equal(TokenProblem.PayloadFieldMismatch, JwtRules.CheckBinding(Json("""{"Site":"SOC"}"""), Json("""["SOC"]"""), ["Site"]));
        Assert.Equal(TokenProblem.None, JwtRules.CheckBinding(Json("""{}"""), body, []));
    }
}

public class PythonJsonTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(1764402396.123456, "1764402396.123456")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void Floats_are_written_as_Python_repr(double value, string expected) =>
        Assert.Equal(expected, PythonJson.FloatRepr(value));

    [Fact]
    public void Objects_keep_member_order_compact_with_non_ascii_escaped()
    {
        var node = JsonNode.Parse("""{"z":1,"a":"é😀\n\u0001\u007f/","n":[true,null,2.50,-0,1e3]}""");

        Assert.Equal("""{"z":1,"a":"\u00e9\ud83d\ude00\n\u0001\u007f/","n":[true,null,2.5,0,1000.0]}""", PythonJson.Dumps(node));
    }

    [Fact]
    public void PyJwt_compatible_tokens_sort_the_header_and_sign_with_the_utf8_secret()
    {
        var token = PyJwtCompatible.Encode("123", "my-secret", new JsonObject { ["Site"] = "Security Operations" });

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("eyJhbGciOiJIUzI1NiIsImtpZCI6IjEyMyIsInR5cCI6IkpXVCJ9", parts[0]); // {"alg":"HS256","kid":"123","typ":"JWT"}
        Assert.Equal(PyJwtCompatible.Encode("123", "my-secret", new JsonObject { ["Site"] = "Security Operations" }), token);
        Assert.NotEqual(PyJwtCompatible.Encode("123", "other", new JsonObject { ["Site"] = "Security Operations" }), token);
    }
}
