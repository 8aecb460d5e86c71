using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

public enum FilterOperator { Equal, NotEqual, Less, Greater, LessOrEqual, GreaterOrEqual, Like, IsEmpty, IsNotEmpty }

/// <summary>One condition: a static field by wire name, or a dynamic field of a section.</summary>
public sealed record FilterCondition(IncidentField? Static, string? Section, string Field, FilterOperator Operator, JsonNode? Value, LikePattern? Pattern);

/// <summary>
/// The vendor's incident filter: an array of AND-groups OR-ed together (a flat array of
/// conditions is one group), each condition <c>{field, operator, value, section?}</c>. Text
/// compares case-insensitively; times, numbers, severities and priorities by order; a list field
/// matches when any of its items does; <c>LIKE</c> takes SQL's <c>%</c> and <c>_</c> wildcards.
/// </summary>
public sealed class IncidentFilter
{
    private static readonly Dictionary<string, FilterOperator> Operators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["="] = FilterOperator.Equal,
        ["!="] = FilterOperator.NotEqual,
        ["<"] = FilterOperator.Less,
        [">"] = FilterOperator.Greater,
        ["<="] = FilterOperator.LessOrEqual,
        [">="] = FilterOperator.GreaterOrEqual,
        ["LIKE"] = FilterOperator.Like,
        ["IS EMPTY"] = FilterOperator.IsEmpty,
        ["IS NOT EMPTY"] = FilterOperator.IsNotEmpty,
    };

    private static readonly string[] Members = ["field", "operator", "value", "section"];

    public const int MaxConditions = 100;
    public const int MaxPatternLength = 500;

    private readonly IReadOnlyList<IReadOnlyList<FilterCondition>> _groups;
    private readonly IncidentVocabulary _vocabulary;

    private IncidentFilter(IReadOnlyList<IReadOnlyList<FilterCondition>> groups, IncidentVocabulary vocabulary) =>
        (_groups, _vocabulary) = (groups, vocabulary);

    public static readonly IReadOnlyList<string> OperatorNames = [.. Operators.Keys];

    public bool IsEmpty => _groups.Count == 0;

    /// <summary>The filter, or every problem in it named by its place (<c>Filter[0][1].operator</c>).</summary>
    public static (IncidentFilter? Filter, IReadOnlyList<string> Errors) Parse(JsonNode? filter, IncidentVocabulary vocabulary, string name = "Filter")
    {
        var errors = new List<string>();
        var groups = new List<IReadOnlyList<FilterCondition>>();
        var conditions = filter is JsonArray all ? all.Sum(g => g is JsonArray group ? group.Count : 1) : 0;
        if (conditions > MaxConditions)
        {
            return (null, [$"'{name}' has {conditions} conditions; at most {MaxConditions}."]);
        }
        switch (filter)
        {
            case null:
                break;
            case JsonArray { Count: 0 }:
                break;
            case JsonArray flat when flat.All(c => c is JsonObject):
                groups.Add(Group(flat, $"{name}", vocabulary, errors));
                break;
            case JsonArray nested when nested.All(g => g is JsonArray):
                for (var g = 0; g < nested.Count; g++)
                {
                    var group = (JsonArray)nested[g]!;
                    if (group.Count == 0 || group.Any(c => c is not JsonObject))
                    {
                        errors.Add($"'{name}[{g}]' must be a non-empty list of conditions {{\"field\", \"operator\", \"value\"}}.");
                        continue;
                    }
                    groups.Add(Group(group, $"{name}[{g}]", vocabulary, errors));
                }
                break;
            default:
                errors.Add($"'{name}' must be a list of conditions {{\"field\", \"operator\", \"value\", \"section\"}} (one AND-group), or a list of such lists (AND-groups OR-ed together).");
                break;
        }
        return errors.Count > 0 ? (null, errors) : (new IncidentFilter(groups, vocabulary), []);
    }

    public bool Matches(IncidentRecord incident) =>
        _groups.Count == 0 || _groups.Any(group => group.All(condition => Holds(condition, incident)));

    private static List<FilterCondition> Group(JsonArray conditions, string at, IncidentVocabulary vocabulary, List<string> errors)
    {
        var parsed = new List<FilterCondition>();
        for (var i = 0; i < conditions.Count; i++)
        {
            if (Condition((JsonObject)conditions[i]!, $"{at}[{i}]", vocabulary, errors) is { } condition)
            {
                parsed.Add(condition);
            }
        }
        return parsed;
    }

    private static FilterCondition? Condition(JsonObject condition, string at, IncidentVocabulary vocabulary, List<string> errors)
    {
        var before = errors.Count;
        foreach (var unknown in condition.Select(p => p.Key).Where(k => !Members.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"'{at}.{unknown}' is not a member of a condition; use field, operator, value and section.");
        }
        var field = Text(IncidentRecord.Member(condition, "field"));
        var operatorText = Text(IncidentRecord.Member(condition, "operator"));
        var section = IncidentRecord.Member(condition, "section");
        var hasValue = condition.Any(p => string.Equals(p.Key, "value", StringComparison.OrdinalIgnoreCase));
        var value = IncidentRecord.Member(condition, "value");
        if (field is null)
        {
            errors.Add($"'{at}.field' is required: a field's name such as Title or Severity.");
        }
        if (section is not null && Text(section) is null)
        {
            errors.Add($"'{at}.section' must be the name of a dynamic field section.");
        }
        FilterOperator op = default;
        if (operatorText is null || !Operators.TryGetValue(string.Join(' ', operatorText.Split(' ', StringSplitOptions.RemoveEmptyEntries)), out op))
        {
            errors.Add($"'{at}.operator' must be one of: {string.Join(", ", OperatorNames)}.");
        }
        IncidentField? known = null;
        if (field is not null && section is null)
        {
            known = IncidentModel.ByWireName(field);
            if (known is null || !Filterable(known))
            {
                errors.Add(known is null
                    ? $"'{at}.field' '{field}' is not an incident field (give 'section' for a dynamic field); fields: {string.Join(", ", IncidentModel.All.Where(Filterable).Select(f => f.WireName))}."
                    : $"'{at}.field' '{field}' cannot be filtered on: the raw data is returned, not searched.");
            }
        }
        var takesValue = op is not (FilterOperator.IsEmpty or FilterOperator.IsNotEmpty);
        if (takesValue && (!hasValue || value is not JsonValue))
        {
            errors.Add($"'{at}.value' is required for '{operatorText}' and must be text, a number or true/false.");
        }
        else if (takesValue && known is { } typed && Problem(typed, op, value!, vocabulary) is { } problem)
        {
            errors.Add($"'{at}.value' {problem}");
        }
        else if (op == FilterOperator.Like && Scalar(value).Length > MaxPatternLength)
        {
            errors.Add($"'{at}.value' is longer than {MaxPatternLength} characters.");
        }
        if (errors.Count > before)
        {
            return null;
        }
        var pattern = op == FilterOperator.Like ? new LikePattern(Scalar(value)) : null;
        return new FilterCondition(known, Text(section), field!, op, value, pattern);
    }

    private static string? Problem(IncidentField field, FilterOperator op, JsonNode value, IncidentVocabulary vocabulary)
    {
        if (field.Kind == IncidentFieldKind.Time && op != FilterOperator.Like && IncidentRecord.ParseTime(value) is null)
        {
            return $"must be a time as {IncidentRecord.TimeFormat} (UTC), ISO 8601 or epoch seconds for '{field.WireName}'.";
        }
        if (field.Choices is { } choices && op is FilterOperator.Equal or FilterOperator.NotEqual or FilterOperator.Less
                or FilterOperator.Greater or FilterOperator.LessOrEqual or FilterOperator.GreaterOrEqual
            && vocabulary.Canonical(choices, Scalar(value)) is null)
        {
            return $"must be one of: {string.Join(", ", vocabulary.Of(choices))}.";
        }
        return null;
    }

    private bool Holds(FilterCondition condition, IncidentRecord incident)
    {
        var actual = condition.Static is { } field ? incident[field] : incident.Dynamic(condition.Section!, condition.Field);
        var items = actual is JsonArray list ? list.ToList() : [actual];
        return condition.Operator switch
        {
            FilterOperator.IsEmpty => Empty(actual),
            FilterOperator.IsNotEmpty => !Empty(actual),
            FilterOperator.NotEqual => !items.Any(item => Compare(condition, item) == 0),
            FilterOperator.Like => items.Any(item => item is JsonValue && condition.Pattern!.IsMatch(Scalar(item))),
            _ => items.Any(item => Compare(condition, item) is { } order && condition.Operator switch
            {
                FilterOperator.Equal => order == 0,
                FilterOperator.Less => order < 0,
                FilterOperator.Greater => order > 0,
                FilterOperator.LessOrEqual => order <= 0,
                _ => order >= 0,
            }),
        };
    }

    /// <summary>How the incident's value orders against the condition's, or null when they cannot be compared.</summary>
    private int? Compare(FilterCondition condition, JsonNode? actual)
    {
        if (actual is not JsonValue)
        {
            return null;
        }
        var field = condition.Static;
        if (field?.Choices is Vocabulary.Severity or Vocabulary.Priority)
        {
            var values = _vocabulary.Of(field.Choices.Value);
            var (mine, theirs) = (Rank(values, Scalar(actual)), Rank(values, Scalar(condition.Value)));
            return mine is null || theirs is null ? null : theirs.Value.CompareTo(mine.Value);
        }
        if (field?.Kind == IncidentFieldKind.Time || (field is null && IsTime(actual) && IsTime(condition.Value)))
        {
            return IncidentRecord.ParseTime(actual) is { } a && IncidentRecord.ParseTime(condition.Value) is { } b ? a.CompareTo(b) : null;
        }
        if (Number(actual) is { } x && Number(condition.Value) is { } y)
        {
            return x.CompareTo(y);
        }
        return string.Compare(Scalar(actual), Scalar(condition.Value), StringComparison.OrdinalIgnoreCase);
    }

    private static int? Rank(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return null;
    }

    private static bool IsTime(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IncidentRecord.ParseTime(v) is not null;

    private static double? Number(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static bool Empty(JsonNode? value) => value switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonObject obj => obj.Count == 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => string.IsNullOrWhiteSpace(v.GetValue<string>()),
        _ => false,
    };

    private static string Scalar(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        null => "",
        _ => value.ToJsonString(),
    };

    private static string? Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim() is { Length: > 0 } text ? text : null;

    private static bool Filterable(IncidentField field) => field != IncidentModel.IncidentRaw && field != IncidentModel.EventRaw;
}
