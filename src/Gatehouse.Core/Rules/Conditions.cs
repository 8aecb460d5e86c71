using Gatehouse.Core.Addresses;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Rules;

/// <summary>What a condition reads: an event's mapped fields by name, and its raw JSON by path.</summary>
public sealed record RuleSubject(JsonNode? Raw, IReadOnlyDictionary<string, string> Standard, JsonObject Custom)
{
    /// <summary>Every value the field names: <c>$...</c> is a JSON path into the raw event, anything else a mapped field.</summary>
    public IReadOnlyList<string> Values(string field)
    {
        if (field.StartsWith('$'))
        {
            return JsonPath.Parse(field).Select(Raw).SelectMany(Texts).ToList();
        }
        var standard = FieldCatalog.Event.StandardName(field);
        if (standard is not null)
        {
            return Standard.TryGetValue(standard, out var value) ? [value] : [];
        }
        return Custom.TryGetPropertyValue(field, out var custom) ? Texts(custom).ToList() : [];
    }

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.SelectMany(Texts),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [node.ToJsonString()],
    };
}

/// <summary>A compiled condition: <c>{"all":[…]}</c>, <c>{"any":[…]}</c>, <c>{"not":…}</c> or a field test.</summary>
public abstract class Condition
{
    public static readonly IReadOnlyList<string> Operators =
    [
        "equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "regex", "in", "notIn",
        "gt", "gte", "lt", "lte", "exists", "notExists", "cidr",
    ];

    public abstract bool Matches(RuleSubject subject);

    /// <summary>Compiles a condition tree, listing every problem with its place (<c>condition.all[1].value</c>).</summary>
    public static Condition? Compile(JsonNode? node, string label, ICollection<string> errors)
    {
        if (node is not JsonObject obj)
        {
            errors.Add($"{label}: a condition is an object: {{\"all\":[…]}}, {{\"any\":[…]}}, {{\"not\":…}} or {{\"field\",\"operator\",\"value\"}}.");
            return null;
        }
        if (obj["all"] is { } all || obj["any"] is { } any_)
        {
            var isAll = obj.ContainsKey("all");
            var list = (isAll ? obj["all"] : obj["any"]) as JsonArray;
            if (list is null || list.Count == 0)
            {
                errors.Add($"{label}.{(isAll ? "all" : "any")}: must be a non-empty list of conditions.");
                return null;
            }
            var children = list.Select((child, i) => Compile(child, $"{label}.{(isAll ? "all" : "any")}[{i}]", errors)).ToList();
            return children.Any(c => c is null) ? null : new Group(isAll, children!);
        }
        if (obj.ContainsKey("not"))
        {
            var inner = Compile(obj["not"], $"{label}.not", errors);
            return inner is null ? null : new Not(inner);
        }
        return FieldTest.Compile(obj, label, errors);
    }

    private sealed class Group(bool all, IReadOnlyList<Condition> children) : Condition
    {
        public override bool Matches(RuleSubject subject) => all ? children.All(c => c.Matches(subject)) : children.Any(c => c.Matches(subject));
    }

    private sealed class Not(Condition inner) : Condition
    {
        public override bool Matches(RuleSubject subject) => !inner.Matches(subject);
    }

    private sealed class FieldTest : Condition
    {
        private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
        private readonly string _field;
        private readonly string _operator;
        private readonly StringComparison _comparison;
        private readonly IReadOnlyList<string> _texts = [];
        private readonly decimal _number;
        private readonly Regex? _regex;
        private readonly IPNetwork _network;

        private FieldTest(string field, string op, bool caseSensitive, IReadOnlyList<string> texts, decimal number, Regex? regex, IPNetwork network)
        {
            (_field, _operator, _texts, _number, _regex, _network) = (field, op, texts, number, regex, network);
            _comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        }

        public static Condition? Compile(JsonObject obj, string label, ICollection<string> errors)
        {
            var before = errors.Count;
            var field = obj["field"] is JsonValue f && f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null;
            var op = obj["operator"] is JsonValue o && o.GetValueKind() == JsonValueKind.String ? o.GetValue<string>() : null;
            var caseSensitive = obj["caseSensitive"] is JsonValue c && c.GetValueKind() == JsonValueKind.True;
            if (string.IsNullOrWhiteSpace(field))
            {
                errors.Add($"{label}.field: required (a mapped field such as \"Source IP\", or a JSON path such as \"$.alert.name\").");
            }
            else if (field.StartsWith('$') && !JsonPath.TryParse(field, out _, out var pathError))
            {
                errors.Add($"{label}.field: {pathError}.");
            }
            var canonical = Operators.FirstOrDefault(known => string.Equals(known, op, StringComparison.OrdinalIgnoreCase));
            if (canonical is null)
            {
                errors.Add($"{label}.operator: '{op}' is not an operator; use one of {string.Join(", ", Operators)}.");
                return null;
            }
            var value = obj["value"];
            IReadOnlyList<string> texts = [];
            decimal number = 0;
            Regex? regex = null;
            IPNetwork network = default;
            switch (canonical)
            {
                case "exists" or "notExists":
                    break;
                case "in" or "notIn":
                    if (value is not JsonArray { Count: > 0 } list)
                    {
                        errors.Add($"{label}.value: '{canonical}' needs a non-empty list.");
                    }
                    else
                    {
                        texts = list.Select(Text).ToList();
                    }
                    break;
                case "gt" or "gte" or "lt" or "lte":
                    if (!TryNumber(Text(value), out number))
                    {
                        errors.Add($"{label}.value: '{canonical}' needs a number.");
                    }
                    break;
                case "regex":
                    try
                    {
                        regex = new Regex(Text(value), (caseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase) | RegexOptions.CultureInvariant, RegexTimeout);
                    }
                    catch (ArgumentException ex)
                    {
                        errors.Add($"{label}.value: not a valid regular expression ({ex.Message}).");
                    }
                    break;
                case "cidr":
                    if (!IpText.TryParseRange(Text(value), out network, exactBlock: false))
                    {
                        errors.Add($"{label}.value: '{Text(value)}' is not a CIDR range such as 10.0.0.0/8.");
                    }
                    break;
                default:
                    if (value is null or JsonObject or JsonArray)
                    {
                        errors.Add($"{label}.value: '{canonical}' needs a text or number value.");
                    }
                    texts = [Text(value)];
                    break;
            }
            return errors.Count == before ? new FieldTest(field!, canonical, caseSensitive, texts, number, regex, network) : null;
        }

        public override bool Matches(RuleSubject subject)
        {
            var values = subject.Values(_field);
            return _operator switch
            {
                "exists" => values.Count > 0,
                "notExists" => values.Count == 0,
                "notEquals" => !values.Any(v => string.Equals(v, _texts[0], _comparison)),
                "notContains" => !values.Any(v => v.Contains(_texts[0], _comparison)),
                "notIn" => !values.Any(v => _texts.Any(t => string.Equals(v, t, _comparison))),
                _ => values.Any(Test),
            };
        }

        private bool Test(string value) => _operator switch
        {
            "equals" => string.Equals(value, _texts[0], _comparison),
            "contains" => value.Contains(_texts[0], _comparison),
            "startsWith" => value.StartsWith(_texts[0], _comparison),
            "endsWith" => value.EndsWith(_texts[0], _comparison),
            "in" => _texts.Any(t => string.Equals(value, t, _comparison)),
            "regex" => SafeMatch(value),
            "gt" => TryNumber(value, out var a) && a > _number,
            "gte" => TryNumber(value, out var b) && b >= _number,
            "lt" => TryNumber(value, out var c) && c < _number,
            "lte" => TryNumber(value, out var d) && d <= _number,
            "cidr" => IpText.TryParse(value, out var address) && _network.Contains(address),
            _ => false,
        };

        private bool SafeMatch(string value)
        {
            try
            {
                return _regex!.IsMatch(value);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private static bool TryNumber(string text, out decimal number) =>
            decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

        private static string Text(JsonNode? node) =>
            node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node?.ToJsonString() ?? "";
    }
}
