using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;

namespace Gatehouse.Cli;

/// <summary><c>gatehouse token</c> and <c>gatehouse send</c>: what a sender does, from the command line.</summary>
public static class TokenCommands
{
    public static Command Token()
    {
        var kid = new Option<string>("--kid") { Description = "The key id of the JWT key (its 'kid').", Required = true };
        var secret = new Option<string>("--secret") { Description = "The JWT key's secret.", Required = true };
        var payload = new Option<string>("--payload") { Description = "The payload as a JSON object, e.g. '{\"Site\":\"Security Operations\"}'.", Required = true };
        var timestamp = new Option<bool>("--timestamp") { Description = "Set Timestamp to the current time, as Python's time.time() gives it." };
        var command = new Command("token", "Print the HS256 token PyJWT 2.6 would make for this key and payload.") { kid, secret, payload, timestamp };
        command.SetAction(result =>
        {
            if (ParseObject(result.GetValue(payload)!, "--payload") is not { } claims)
            {
                return 2;
            }
            if (result.GetValue(timestamp))
            {
                claims["Timestamp"] = PyJwtCompatible.PythonTime(DateTimeOffset.UtcNow);
                // On standard error, so that TOKEN=$(gatehouse token …) still captures only the token.
                Console.Error.WriteLine($"Timestamp: {PythonJson.Dumps(claims["Timestamp"])} (put the same value in the body's Timestamp)");
            }
            Console.Out.WriteLine(PyJwtCompatible.Encode(result.GetValue(kid)!, result.GetValue(secret)!, claims));
            return 0;
        });
        return command;
    }

    public static Command Send()
    {
        var url = new Argument<string>("url") { Description = "The webhook URL, e.g. http://127.0.0.1:5080/VSOC/api/Data/Kibana/Security%20Operations/CreateEvents." };
        var key = new Option<string?>("--key") { Description = "An API key, sent in the d3key header." };
        var jwtKid = new Option<string?>("--jwt-kid") { Description = "A JWT key's kid: the request carries a token in the d3jwt header." };
        var jwtSecret = new Option<string?>("--jwt-secret") { Description = "The JWT key's secret." };
        var body = new Option<FileInfo>("--body") { Description = "A file with the JSON body to send.", Required = true };
        var fields = new Option<string?>("--fields") { Description = "Comma-separated payload fields to sign (default: every top-level member of the body)." };
        var timestamp = new Option<bool>("--timestamp") { Description = "Set the body's Timestamp to now before signing." };
        var command = new Command("send", "Post a JSON body to a webhook with an API key or a token over the body's payload fields.")
        {
            url, key, jwtKid, jwtSecret, body, fields, timestamp,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var apiKey = result.GetValue(key);
            var kid = result.GetValue(jwtKid);
            var secret = result.GetValue(jwtSecret);
            if ((apiKey is null) == (kid is null) || (kid is null) != (secret is null))
            {
                Console.Error.WriteLine("Give either --key, or --jwt-kid with --jwt-secret.");
                return 2;
            }
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine("The URL must be an absolute http or https URL.");
                return 2;
            }
            var file = result.GetValue(body)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"There is no file {file.FullName}.");
                return 2;
            }
            var text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
            var request = new HttpRequestMessage(HttpMethod.Post, target);
            if (apiKey is not null)
            {
                request.Headers.TryAddWithoutValidation("d3key", apiKey);
            }
            else
            {
                if (ParseObject(text, "--body") is not { } document)
                {
                    return 2;
                }
                if (result.GetValue(timestamp))
                {
                    document["Timestamp"] = PyJwtCompatible.PythonTime(DateTimeOffset.UtcNow);
                    text = PythonJson.Dumps(document);
                }
                var names = result.GetValue(fields)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    ?? document.Select(member => member.Key).ToArray();
                var claims = new JsonObject();
                foreach (var name in names)
                {
                    claims[name] = document[name]?.DeepClone();
                }
                request.Headers.TryAddWithoutValidation("d3jwt", PyJwtCompatible.Encode(kid!, secret!, claims));
            }
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                Console.Out.WriteLine($"{(int)response.StatusCode} {response.ReasonPhrase}");
                Console.Out.WriteLine(await response.Content.ReadAsStringAsync(cancellationToken));
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (HttpRequestException ex)
            {
                Console.Error.WriteLine($"Could not reach {request.RequestUri}: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static JsonObject? ParseObject(string text, string what)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject obj)
            {
                return obj;
            }
        }
        catch (JsonException)
        {
        }
        Console.Error.WriteLine($"{what} must be a JSON object.");
        return null;
    }
}
