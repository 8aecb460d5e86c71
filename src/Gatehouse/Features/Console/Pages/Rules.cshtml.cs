using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Rules;
using Gatehouse.Features.Sites;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>One test of the condition builder: a field, an operator and a value (a list for in/notIn, none for exists).</summary>
public sealed record ConditionRow(string Field, string Operator, string Value);

public sealed class RulesModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public IReadOnlyList<RuleView> Rules { get; private set; } = [];

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    /// <summary>The rule being edited (<c>?edit=id</c>), or null for a new rule.</summary>
    public RuleView? Editing { get; private set; }

    public static IReadOnlyList<string> Operators => Condition.Operators;

    public static IReadOnlyList<string> Fields => FieldCatalog.Event.Names;

    public static IReadOnlyList<string> Severities => Core.Incidents.IncidentVocabulary.Severities;

    public async Task OnGetAsync(int? edit)
    {
        Rules = (await AutomationRulesApi.List(db, user, Aborted)).Value ?? [];
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        Editing = edit is { } id ? Rules.FirstOrDefault(r => r.Id == id) : null;
    }

    /// <summary>
    /// The condition as builder rows, when it is one test or a flat all/any list of tests; null when it nests deeper
    /// (then it is edited as JSON). The second value is the combinator ("all" or "any").
    /// </summary>
    public static (string Match, IReadOnlyList<ConditionRow> Rows)? Flat(JsonNode? condition)
    {
        if (condition is not JsonObject obj)
        {
            return ("all", [new ConditionRow("Severity", "equals", "")]);
        }
        if (Row(obj) is { } single)
        {
            return ("all", [single]);
        }
        var match = obj.ContainsKey("all") ? "all" : obj.ContainsKey("any") ? "any" : null;
        if (match is null || obj.Count != 1 || obj[match] is not JsonArray list)
        {
            return null;
        }
        var rows = list.Select(item => item as JsonObject is { } test ? Row(test) : null).ToList();
        return rows.Any(r => r is null) ? null : (match, rows!);
    }

    private static ConditionRow? Row(JsonObject test)
    {
        if (test.Any(kv => kv.Key is not ("field" or "operator" or "value")) || test["field"] is not JsonValue field || test["operator"] is not JsonValue op)
        {
            return null;
        }
        var value = test["value"] switch
        {
            null => "",
            JsonArray items => string.Join(", ", items.Select(i => i?.ToString())),
            JsonValue scalar => scalar.ToString(),
            _ => null,
        };
        return value is null ? null : new ConditionRow(field.ToString(), op.ToString(), value);
    }

    /// <summary>What a rule does, in words: "Dismiss: noise", "Escalate to a High Intrusion incident “{{Title}}”".</summary>
    public static string ActionOf(RuleView rule) => rule.Type == RuleType.Dismissal
        ? $"Dismiss{((rule.Dismissal?.Reason ?? rule.Dismissal?.ReasonCode) is { } why ? $": {why}" : "")}"
        : $"Escalate to {(rule.Escalation?.Severity is { } severity ? $"a {severity} " : "an ")}{rule.Escalation?.IncidentType ?? "incident"} incident “{rule.Escalation?.Title}”";

    /// <summary>The reorder body that moves a rule one place up (-1) or down (+1).</summary>
    public string MoveBody(int index, int by)
    {
        var ids = Rules.Select(r => r.Id).ToList();
        (ids[index], ids[index + by]) = (ids[index + by], ids[index]);
        return new JsonObject { ["ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray()) }.ToJsonString();
    }
}
