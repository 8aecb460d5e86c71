using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Jwt;

namespace Gatehouse.Tests.Interop;

/// <summary>
/// The senders' own signing libraries — npm's <c>standardwebhooks</c> and <c>@octokit/webhooks-methods</c> — run with node
/// (Interop/Senders/sign.mjs), installed once per test run with <c>npm ci</c> from the pinned lock file.
/// </summary>
public static class NodeSenders
{
    private static readonly Lazy<string> Folder = new(Install);

    private static string SourceFolder([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "Senders");

    private static string Install()
    {
        var folder = SourceFolder();
        var (code, output, error) = JwtTestKit.Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", folder], null);
        if (code != 0)
        {
            throw new InvalidOperationException($"npm ci in {folder} failed ({code}): {output} {error}");
        }
        return folder;
    }

    /// <summary>The headers the sender's library puts on a delivery of <paramref name="body"/>.</summary>
    public static IReadOnlyDictionary<string, string> Sign(string scheme, string[] secrets, string body, string id, long timestamp)
    {
        var folder = Folder.Value;
        var input = new JsonObject { ["scheme"] = scheme, ["secrets"] = new JsonArray(secrets.Select(s => (JsonNode)s).ToArray()), ["body"] = body, ["id"] = id, ["timestamp"] = timestamp };
        var (code, output, error) = JwtTestKit.Run("node", [Path.Combine(folder, "sign.mjs")], input.ToJsonString());
        Assert.True(code == 0, $"node sign.mjs failed: {error}");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(output)!;
    }
}
