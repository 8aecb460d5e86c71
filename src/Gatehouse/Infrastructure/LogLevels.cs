using Microsoft.Extensions.Configuration.Memory;

namespace Gatehouse.Infrastructure;

/// <summary>
/// The default log levels, in code, so the server logs the same with or without an appsettings.json:
/// Gatehouse's own messages, warnings from the framework, and no line per SQL statement (EF Core),
/// per request (ASP.NET Core's request lines carry the query string, which can carry a token) or per
/// outbound call (HttpClient's carry the URL). They sit beneath every configuration source, so
/// appsettings, <c>Logging__LogLevel__X</c> variables and the command line still override each one.
/// </summary>
public static class LogLevels
{
    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        ["Default"] = "Information",
        ["Gatehouse"] = "Information",
        ["Microsoft"] = "Warning",
        ["Microsoft.EntityFrameworkCore"] = "Warning",
        // A failed command is logged with its SQL; the failures Gatehouse expects (a unique index settling a race) it handles and reports itself.
        ["Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
        ["Microsoft.EntityFrameworkCore.Update"] = "Critical",
        ["Microsoft.Hosting.Lifetime"] = "Information",
        ["System.Net.Http"] = "Warning",
    };

    /// <summary>Categories whose lines carry a request's whole URL, and with it the value of a query-token key.</summary>
    public static readonly IReadOnlyList<string> UrlCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        // A request line Kestrel cannot parse (an unencoded space in a site name) is logged whole, query string included.
        "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Microsoft.AspNetCore.Server.Kestrel.Connections",
        "Microsoft.AspNetCore.Server.Kestrel.Http2", "Microsoft.AspNetCore.Server.Kestrel.Http3",
    ];

    /// <summary>
    /// Keeps the URL-carrying categories at Warning whatever the configuration asks, for every provider (a provider's own rule
    /// would otherwise win over one for all): their request lines are the only place a query token could be written.
    /// </summary>
    public static void KeepUrlsOutOfLogs(LoggerFilterOptions options)
    {
        foreach (var provider in options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct().ToList())
        {
            foreach (var category in UrlCategories)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, null));
            }
        }
    }

    public static void AddGatehouseLogDefaults(this IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = Defaults.Select(level => KeyValuePair.Create<string, string?>($"Logging:LogLevel:{level.Key}", level.Value)),
        });
}
