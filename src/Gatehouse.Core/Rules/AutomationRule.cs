using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Rules;

public enum RuleType { Dismissal, Escalation }

public sealed record DismissalAction(string? ReasonCode, string? Reason);

/// <summary>The incident an escalation creates; texts may hold <c>{{$.path}}</c>, <c>{{['name']}}</c> or <c>{{Mapped Field}}</c>.</summary>
public sealed record EscalationAction(string? IncidentType, string? Title, string? Description, string? Severity, string? Owner, string? Playbook);

/// <summary>What a matching rule decided for an event.</summary>
public sealed record RuleDecision(RuleType Type, DismissalAction? Dismissal, EscalationIncident? Incident);

public sealed record EscalationIncident(string IncidentType, string Title, string? Description, string Severity, string? Owner, string? Playbook);

/// <summary>A validated rule: its condition compiled, its action checked.</summary>
public sealed partial class CompiledRule
{
    private CompiledRule(int id, string name, RuleType type, Condition condition, DismissalAction? dismissal, EscalationAction? escalation)
    {
        (Id, Name, Type, Condition, Dismissal, Escalation) = (id, name, type, condition, dismissal, escalation);
    }

    public int Id { get; }
    public string Name { get; }
    public RuleType Type { get; }
    public Condition Condition { get; }
    public DismissalAction? Dismissal { get; }
    public EscalationAction? Escalation { get; }

    [GeneratedRegex(@"\{\{\s*(.+?)\s*\}\}", RegexOptions.None, 1000)]
    private static partial Regex Placeholder();

    public static CompiledRule? Compile(int id, string name, RuleType type, JsonNode? condition, DismissalAction? dismissal, EscalationAction? escalation, ICollection<string> errors)
    {
        var before = errors.Count;
        var compiled = Condition.Compile(condition, "condition", errors);
        if (type == RuleType.Escalation)
        {
            if (escalation is null || string.IsNullOrWhiteSpace(escalation.IncidentType))
            {
                errors.Add("escalation.incidentType: an escalation rule names the type of incident it creates.");
            }
            if (escalation?.Severity is { } severity && Severity.Normalize(severity) is null)
            {
                errors.Add($"escalation.severity: '{severity}' is not one of {string.Join(", ", Severity.Levels)}.");
            }
            foreach (var text in new[] { escalation?.Title, escalation?.Description, escalation?.IncidentType, escalation?.Owner }.OfType<string>())
            {
                foreach (Match placeholder in Placeholder().Matches(text))
                {
                    var path = placeholder.Groups[1].Value;
                    if ((path.StartsWith('$') || path.StartsWith('[')) && !JsonPath.TryParse(path, out _, out var error))
                    {
                        errors.Add($"escalation: the template {{{{{path}}}}} is not a valid JSON path ({error}).");
                    }
                }
            }
        }
        return errors.Count == before ? new CompiledRule(id, name, type, compiled!, dismissal, escalation) : null;
    }

    /// <summary>The decision when the condition matches the event, else null.</summary>
    public RuleDecision? Decide(RuleSubject subject)
    {
        if (!Condition.Matches(subject))
        {
            return null;
        }
        if (Type == RuleType.Dismissal)
        {
            return new RuleDecision(Type, Dismissal ?? new DismissalAction(null, null), null);
        }
        var escalation = Escalation!;
        return new RuleDecision(Type, null, new EscalationIncident(
            Render(escalation.IncidentType!, subject),
            Render(escalation.Title ?? $"Escalated by rule '{Name}'", subject),
            escalation.Description is null ? null : Render(escalation.Description, subject),
            Severity.Normalize(escalation.Severity) ?? Severity.Normalize(subject.Values("Severity").FirstOrDefault()) ?? "Medium",
            escalation.Owner is null ? null : Render(escalation.Owner, subject),
            escalation.Playbook));
    }

    /// <summary>Fills each placeholder with the values it names, joined by ", " (empty when there are none).</summary>
    public static string Render(string template, RuleSubject subject) =>
        Placeholder().Replace(template, m =>
        {
            var reference = m.Groups[1].Value;
            var path = reference.StartsWith('[') ? "$" + reference : reference;
            return string.Join(", ", subject.Values(path));
        });

    /// <summary>The first rule, in order, whose condition matches.</summary>
    public static (CompiledRule Rule, RuleDecision Decision)? FirstMatch(IEnumerable<CompiledRule> ordered, RuleSubject subject)
    {
        foreach (var rule in ordered)
        {
            if (rule.Decide(subject) is { } decision)
            {
                return (rule, decision);
            }
        }
        return null;
    }
}
