using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gatehouse.Features.Console.Pages;

/// <summary>What every console page shares: who is looking, and how JSON is shown.</summary>
public abstract class ConsolePageModel : PageModel
{
    // Razor HTML-encodes what a page shows, so JSON need not escape '<' or quotes a second time;
    // what people copy from the console stays readable.
    private static readonly JsonSerializerOptions Indented = new(GatehouseJson.Options)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool IsAdministrator => User.IsInRole("Administrator");

    /// <summary>A refusal from the API handler the page called, shown instead of the data.</summary>
    public string? Refusal { get; protected set; }

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    public static string Pretty(object? value) => value switch
    {
        null => "",
        JsonNode node => node.ToJsonString(Indented),
        _ => JsonSerializer.Serialize(value, Indented),
    };

    public static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
