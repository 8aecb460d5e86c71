using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using static Gatehouse.Tests.Jwt.JwtTestKit;

namespace Gatehouse.Tests.Durability;

/// <summary>
/// Over a thousand generated and fuzzed requests — broken JSON, wrong encodings, huge numbers and
/// strings, deep nesting, duplicate keys, odd headers, forged keys and tokens, wrong methods and
/// paths — each answered with a 4xx, with good requests in between still accepted.
/// </summary>
public abstract class BadInputCorpusTests(GatehouseFixture fixture)
{
    private const string Site = GatehouseClient.DefaultSite;
    private const int GoodEvery = 20;

    private GatehouseClient Admin => fixture.Admin;

    private sealed record Attack(string Name, HttpRequestMessage Request);

    [Fact]
    public async Task Every_bad_request_gets_a_4xx_and_good_requests_in_between_are_still_accepted()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { rateLimitPerSecond = 100_000 });
        var (jwtView, jwtSecret) = await JwtKeyAsync(Admin, new
        {
            name = Unique.Name("JWT"), module = "DataIngestion", method = "Jwt", site = Site, integration, intake = "Event", rateLimitPerSecond = 100_000,
            payloadFields = new[] { "Timestamp", "title" },
        });
        var kid = jwtView["kid"]!.GetValue<string>();
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
        var commandKey = (await Admin.GetAsync($"/api/keys/{(await Admin.PostAsync("/api/keys", new { name = Unique.Name("Cmd"), module = "UtilityCommand", command = "GetEvents", rateLimitPerSecond = 100_000 }))["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var intakePath = $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents";
        var withKeys = Corpus(random, intakePath, key, commandKey).ToList();
        var withTokens = TokenCorpus(random, intakePath, kid, jwtSecret).ToList();
        Assert.True(withKeys.Count + withTokens.Count >= 1000, $"the corpus has only {withKeys.Count + withTokens.Count} requests");

        // API keys first; then, with enhanced authentication on, forged tokens (good requests carry a valid token).
        var failures = await SendAllAsync(withKeys, seed, () => Admin.SendAsync(integration, Site, new { title = "good" }, key));
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        try
        {
            failures.AddRange(await SendAllAsync(withTokens, seed, () =>
            {
                var body = $"{{\"Timestamp\":{Now():0},\"title\":\"good\"}}";
                return SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), body, jwtSecret));
            }));
        }
        finally
        {
            await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
        }
        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} bad requests were not answered 4xx:\n{string.Join("\n", failures.Take(20))}");
        Assert.Equal(HttpStatusCode.OK, (await Admin.Http.GetAsync("/health/ready")).StatusCode);
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: {withKeys.Count + withTokens.Count} bad requests, all 4xx");
    }

    private async Task<List<string>> SendAllAsync(List<Attack> corpus, int seed, Func<Task<HttpResponseMessage>> good)
    {
        var failures = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var (name, request) = corpus[i];
            var response = await Admin.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500)
            {
                failures.Add($"{name}: {status} {await response.Content.ReadAsStringAsync()}");
            }
            if (i % GoodEvery == 0)
            {
                var accepted = await good();
                Assert.True(accepted.StatusCode == HttpStatusCode.Accepted,
                    $"a good request after '{name}' got {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()} (seed {seed})");
            }
        }
        return failures;
    }

    private static HttpRequestMessage Post(string path, string body, string? key, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("d3key", key);
        }
        return request;
    }

    private static IEnumerable<Attack> TokenCorpus(Random random, string path, string kid, string jwtSecret)
    {
        var now = Now();
        var body = $"{{\"Timestamp\":{now:0},\"title\":\"x\"}}";
        var tokens = new List<string>
        {
            B64("{\"alg\":\"none\",\"kid\":\"" + kid + "\"}") + "." + B64(body) + ".",
            B64("{\"alg\":\"none\",\"kid\":\"" + kid + "\"}") + "." + B64(body),
            Forge(Header(kid, "HS512"), body, jwtSecret, 512),
            Forge(Header(kid, "HS384"), body, jwtSecret, 384),
            Forge(Header(kid, "RS256"), body, jwtSecret),
            Forge(Header(kid, "hs256"), body, jwtSecret),
            Forge(Header(kid), body, "not the secret"),
            Forge(Header("unknown-kid"), body, jwtSecret),
            Forge("{\"alg\":\"HS256\"}", body, jwtSecret),
            Forge(Header(kid), "{\"Timestamp\":1,\"title\":\"x\"}", jwtSecret),
            Forge(Header(kid), "{\"Timestamp\":\"soon\",\"title\":\"x\"}", jwtSecret),
            Forge(Header(kid), "{\"title\":\"y\"}", jwtSecret),
            Forge(Header(kid), "not json", jwtSecret),
            Forge("not json", body, jwtSecret),
            Forge(Header(kid), body, jwtSecret) + "x",
            "a.b.c", "a.b", "....", "", new string('e', 20_000), "eyJ" + new string('A', 5000) + ".e30.x",
        };
        for (var i = 0; i < 60; i++)
        {
            var valid = Forge(Header(kid), body, jwtSecret).ToCharArray();
            var at = random.Next(valid.Length);
            valid[at] = valid[at] == 'A' ? 'B' : 'A';
            tokens.Add(new string(valid));
        }
        foreach (var (token, index) in tokens.Select((t, i) => (t, i)))
        {
            var request = Post(path, body, null);
            request.Headers.TryAddWithoutValidation("d3jwt", token);
            yield return new($"forged token {index}", request);
        }
        var keyInstead = Post(path, body, "an-api-key-while-tokens-are-required");
        yield return new("API key while enhanced authentication is on", keyInstead);
    }

    private static IEnumerable<Attack> Corpus(Random random, string path, string key, string commandKey)
    {
        const string valid = """{"title":"Suspicious login","user":{"name":"alice","roles":["admin","dev"]},"score":7.5,"tags":["a","b"],"ok":true,"none":null}""";
        const string TheKey = "(the intake key)";
        HttpRequestMessage Post(string body, string? withKey = TheKey, string contentType = "application/json", string? target = null) =>
            Bytes(Encoding.UTF8.GetBytes(body), withKey == TheKey ? key : withKey, contentType, target);
        HttpRequestMessage Bytes(byte[] body, string? withKey, string contentType = "application/json", string? target = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, target ?? path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            if (withKey is not null)
            {
                request.Headers.TryAddWithoutValidation("d3key", withKey);
            }
            return request;
        }

        // Broken JSON: the valid body cut short, or with a byte changed, dropped or doubled.
        for (var i = 0; i < 250; i++)
        {
            var cut = random.Next(0, valid.Length - 1);
            yield return new($"truncated at {cut}", Post(valid[..cut]));
        }
        var structural = "{}[]:,\"\\".ToCharArray();
        for (var i = 0; i < 400; i++)
        {
            var chars = valid.ToCharArray();
            var at = random.Next(chars.Length);
            chars[at] = structural[random.Next(structural.Length)];
            var mutated = new string(chars);
            if (IsValidJson(mutated))
            {
                continue;
            }
            yield return new($"mutated at {at}", Post(mutated));
        }
        foreach (var broken in new[] { "{", "}", "[", "]", "{\"a\"}", "{\"a\":}", "{,}", "[1,]", "{\"a\":1,}", "'single'", "{'a':1}", "NaN", "[NaN]", "[Infinity]",
                     "[-Infinity]", "{\"a\":undefined}", "/* comment */ {}", "{} {}", "[] x", "\"unterminated", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}",
                     "[01]", "[1.]", "[.5]", "[1e]", "[+1]", "[0x10]", "{\"a\" 1}", "tru", "nul", "{\"a\":tru}", "\u0000", "{\"\u0001\":1}" })
        {
            yield return new($"broken: {broken}", Post(broken));
        }
        // Not an object or array, or empty.
        foreach (var scalar in new[] { "", " ", "\n\t", "1", "-0", "true", "null", "\"text\"", "3.14e10" })
        {
            yield return new($"scalar: '{scalar}'", Post(scalar));
        }
        // Wrong encodings.
        yield return new("invalid UTF-8", Bytes([(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'], key));
        yield return new("overlong UTF-8", Bytes([(byte)'[', (byte)'"', 0xC0, 0xAF, (byte)'"', (byte)']'], key));
        yield return new("lone surrogate in UTF-8", Bytes([(byte)'[', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)']'], key));
        yield return new("UTF-16 body", Bytes(Encoding.Unicode.GetBytes(valid), key));
        yield return new("UTF-16 with BOM", Bytes([0xFF, 0xFE, .. Encoding.Unicode.GetBytes(valid)], key));
        yield return new("UTF-32", Bytes(Encoding.UTF32.GetBytes(valid), key));
        yield return new("Latin-1 declared", Bytes(Encoding.Latin1.GetBytes("{\"t\":\"caf\u00e9\"}"), key, "application/json; charset=iso-8859-1"));
        for (var i = 0; i < 100; i++)
        {
            var noise = new byte[random.Next(1, 200)];
            random.NextBytes(noise);
            yield return new($"random bytes {i}", Bytes(noise, key));
        }
        // Huge numbers and strings; deep nesting; duplicate members.
        foreach (var number in new[] { "1e999999", "-1e999999", new string('9', 5000), "0." + new string('0', 5000) + "1", "1" + new string('0', 400) + "e-400" })
        {
            var body = $"{{\"n\":{number}}}";
            if (IsValidJson(body))
            {
                continue; // a long but valid number is fine to accept
            }
            yield return new($"number {number[..Math.Min(10, number.Length)]}…", Post(body));
        }
        yield return new("body over the size limit", Post("{\"s\":\"" + new string('x', 11 * 1024 * 1024) + "\"}"));
        foreach (var depth in new[] { 65, 100, 1000, 10_000, 100_000 })
        {
            yield return new($"nested arrays {depth}", Post(new string('[', depth) + new string(']', depth)));
            yield return new($"nested objects {depth}", Post(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));
            yield return new($"unclosed nesting {depth}", Post(new string('[', depth)));
        }
        foreach (var duplicate in new[] { "{\"a\":1,\"a\":2}", "{\"title\":\"x\",\"title\":\"y\"}", "[{\"b\":{\"c\":1,\"c\":1}}]", "{\"a\":1,\"\\u0061\":2}" })
        {
            yield return new($"duplicate: {duplicate}", Post(duplicate));
        }
        // Odd headers.
        foreach (var contentType in new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/jsonx", "json", "*/*", ";;;", "application/json; charset=utf-7x; x", })
        {
            yield return new($"content type {contentType}", Post(valid, contentType: contentType));
        }
        var noType = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(valid)) };
        noType.Headers.TryAddWithoutValidation("d3key", key);
        yield return new("no content type", noType);
        foreach (var wait in new[] { "abc", "-1", "1e3", "ten", "1;drop" })
        {
            yield return new($"wait={wait}", Post(valid, target: $"{path}?wait={Uri.EscapeDataString(wait)}"));
            var prefer = Post(valid);
            prefer.Headers.TryAddWithoutValidation("Prefer", $"wait=x{wait}");
            yield return new($"Prefer: wait=x{wait}", prefer);
        }
        foreach (var idempotency in new[] { new string('k', 201), "with space", "tab\tkey", "\u00e9t\u00e9" })
        {
            var request = Post(valid);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotency);
            yield return new($"Idempotency-Key {idempotency[..Math.Min(12, idempotency.Length)]}", request);
        }
        // Forged keys.
        for (var i = 0; i < 100; i++)
        {
            var forged = new byte[random.Next(1, 64)];
            random.NextBytes(forged);
            var other = key[^1] == 'a' ? 'b' : 'a';
            var value = i % 3 == 0 ? Convert.ToHexString(forged) : i % 3 == 1 ? Convert.ToBase64String(forged) : key[..^1] + other;
            yield return new($"forged key {i}", Post(valid, withKey: value));
        }
        yield return new("no key", Post(valid, withKey: null));
        yield return new("empty key", Post(valid, withKey: ""));
        yield return new("huge key", Post(valid, withKey: new string('k', 16_000)));
        yield return new("key with control characters", Post(valid, withKey: "abc\u0001\u007fdef"));
        yield return new("command key on intake", Post(valid, withKey: commandKey));
        // Wrong methods and paths. (A NUL in the path is refused by Kestrel itself; the in-memory test client cannot send one.)
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, new HttpMethod("PROPFIND") })
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("d3key", key);
            yield return new($"{method} on intake", request);
        }
        foreach (var target in new[]
                 {
                     "/VSOC/api/Data/No Such Integration/" + Uri.EscapeDataString(Site) + "/CreateEvents",
                     path.Replace("CreateEvents", "CreateEverything"), path.Replace(Uri.EscapeDataString(Site), "No%20Such%20Site"),
                     "/VSOC/api/Data/..%2F..%2Fetc%2Fpasswd/x/CreateEvents", "/VSOC/api/Data/" + new string('a', 3000) + "/s/CreateEvents",
                     "/VSOC/api/Data//CreateEvents", "/VSOC/api/Data/%E2%80%AE/site/CreateEvents",
                     "/VSOC/api/Command/NoSuchCommand", "/VSOC/api/Integration/x/y/z", "/api/keys/not-a-number", "/api/ingestions/../../etc",
                 })
        {
            yield return new($"path {target[..Math.Min(40, target.Length)]}", Post(valid, target: target));
        }
        // Remote commands with bad bodies and parameters.
        foreach (var body in new[] { "{}", "[]", "{\"Site\":5}", "{\"Site\":\"" + Site + "\",\"CommandParams\":\"x\"}", "{\"Site\":\"" + Site + "\",\"CommandParams\":{\"Page Size\":\"many\"}}",
                     "{\"Site\":\"Nowhere\"}", "{\"Site\":\"" + Site + "\",\"Username\":\"nobody-" + random.Next() + "\"}", "{\"Site\":\"" + Site + "\",\"CommandParams\":{\"Unknown\":1}}" })
        {
            yield return new($"command body {body[..Math.Min(40, body.Length)]}", Post(body, withKey: commandKey, target: "/VSOC/api/Command/GetEvents"));
        }
        // Generated structures with random junk keys still authenticate and parse; only broken ones are in the corpus.
        for (var i = 0; i < 200; i++)
        {
            var node = Generate(random, 0);
            var text = node.ToJsonString();
            var cut = text[..random.Next(1, text.Length)];
            if (!IsValidJson(cut))
            {
                yield return new($"generated and cut {i}", Post(cut));
            }
        }
    }

    private static JsonNode Generate(Random random, int depth) => (depth > 4 ? random.Next(3) : random.Next(6)) switch
    {
        0 => JsonValue.Create(random.Next())!,
        1 => JsonValue.Create(new string((char)random.Next(0x20, 0x7e), random.Next(0, 30)))!,
        2 => JsonValue.Create(random.NextDouble() * 1e10)!,
        3 or 4 => new JsonObject(Enumerable.Range(0, random.Next(1, 5)).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)Generate(random, depth + 1)))),
        _ => new JsonArray(Enumerable.Range(0, random.Next(1, 5)).Select(_ => (JsonNode?)Generate(random, depth + 1)).ToArray()),
    };

    private static bool IsValidJson(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text, new System.Text.Json.JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind is System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Array
                && !text.Contains("\"a\":1,\"a\"", StringComparison.Ordinal);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}

public sealed class BadInputCorpusTestsOnSqlite(SqliteFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<SqliteFixture>;

public sealed class BadInputCorpusTestsOnPostgres(PostgresFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<PostgresFixture>;
