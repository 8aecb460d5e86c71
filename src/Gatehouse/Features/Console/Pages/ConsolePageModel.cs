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

    /// <summary>What the API handler answered; a refusal is kept in <see cref="Refusal"/> to show instead.</summary>
    protected T? Read<T>(IResult result) where T : class
    {
        Refusal = ApiCall.Problem(result);
        return ApiCall.Value<T>(result);
    }

    /// <summary>Like <see cref="Read{T}"/>, for a page about one thing: when it cannot be shown the page answers 404.</summary>
    protected T? Show<T>(IResult result) where T : class
    {
        var value = Read<T>(result);
        if (value is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return value;
    }

    public static string Pretty(object? value) => value switch
    {
        null => "",
        JsonNode node => node.ToJsonString(Indented),
        _ => JsonSerializer.Serialize(value, Indented),
    };

    private static readonly JsonSerializerOptions OneLine = new(Indented) { WriteIndented = false };

    /// <summary>JSON on one line, as readable as <see cref="Pretty"/> (<c>+00:00</c>, not <c>\u002B00:00</c>).</summary>
    public static string Compact(JsonNode node) => node.ToJsonString(OneLine);

    /// <summary>
    /// An identifier (<c>user.password_change_refused</c>, an IPv6 address, with <paramref name="camelCase"/>
    /// <c>EnableEnhanceWebhookAuthentication</c>) that may wrap after its separators or between its words, never inside one.
    /// </summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Breakable(string text, string separators = "._:/-", bool camelCase = false)
    {
        var html = new Microsoft.AspNetCore.Html.HtmlContentBuilder().AppendHtml("<span class=\"ident\">");
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (separators.Contains(text[i], StringComparison.Ordinal))
            {
                html.Append(text[start..(i + 1)]).AppendHtml("<wbr>");
                start = i + 1;
            }
            else if (camelCase && i > start && char.IsUpper(text[i]) && char.IsLower(text[i - 1]))
            {
                html.Append(text[start..i]).AppendHtml("<wbr>");
                start = i;
            }
        }
        return html.Append(text[start..]).AppendHtml("</span>");
    }

    /// <summary>
    /// Text whose words stay whole, except words too long for any column (a pasted id, a name without spaces): only
    /// those may break anywhere, so one of them cannot widen the page nor squeeze the ordinary words beside it.
    /// </summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Wrapping(string text)
    {
        var html = new Microsoft.AspNetCore.Html.HtmlContentBuilder();
        foreach (var part in System.Text.RegularExpressions.Regex.Split(text, @"(\s+)"))
        {
            if (part.Length > 24)
            {
                html.AppendHtml("<span class=\"name\">").Append(part).AppendHtml("</span>");
            }
            else
            {
                html.Append(part);
            }
        }
        return html;
    }

    /// <summary><see cref="When"/> that may wrap between the date and the time, never inside either.</summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent WhenWrapping(DateTimeOffset? at) => at is not { } value
        ? Microsoft.AspNetCore.Html.HtmlString.Empty
        : new Microsoft.AspNetCore.Html.HtmlContentBuilder()
            .AppendHtml("<span class=\"nowrap\">").Append(value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            .AppendHtml("</span> <span class=\"nowrap\">").Append(value.ToString("HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture)).AppendHtml("</span>");

    /// <summary>A <c>datetime-local</c> field's value read as UTC (the console's time zone), whatever the server's own zone; null when blank or not a time.</summary>
    public static DateTimeOffset? UtcInput(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    /// <summary>
    /// The From/To fields of a filter read as UTC; a value that is not a time is refused in <see cref="Refusal"/>
    /// (false) rather than silently dropped, which would show unfiltered results as if filtered.
    /// </summary>
    protected bool TryTimeRange(string? from, string? to, out DateTimeOffset? start, out DateTimeOffset? end)
    {
        (start, end) = (UtcInput(from), UtcInput(to));
        var wrong = new[] { ("From (UTC)", from, start), ("To (UTC)", to, end) }.FirstOrDefault(f => !string.IsNullOrWhiteSpace(f.Item2) && f.Item3 is null);
        if (wrong.Item1 is null)
        {
            return true;
        }
        Refusal = $"'{wrong.Item1}' is not a date and time: use the date picker, or yyyy-mm-ddThh:mm such as 2026-12-03T09:30.";
        return false;
    }

    public static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
