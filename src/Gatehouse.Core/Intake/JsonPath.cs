using System.Text;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Intake;

/// <summary>
/// The JSONPath subset intake definitions use: <c>$</c>, <c>.name</c>, <c>['name with spaces']</c>,
/// <c>["name"]</c>, <c>.*</c>, <c>[*]</c> and <c>[n]</c> (negative counts from the end).
/// A path without a leading <c>$</c> is taken as relative to the root (<c>a.b</c> = <c>$.a.b</c>).
/// </summary>
public sealed class JsonPath
{
    private readonly IReadOnlyList<PathSegment> _segments;

    private JsonPath(string text, IReadOnlyList<PathSegment> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public bool IsRoot => _segments.Count == 0;

    public override string ToString() => Text;

    public static JsonPath Parse(string text)
    {
        if (TryParse(text, out var path, out var error))
        {
            return path;
        }
        throw new JsonPathException(error);
    }

    public static bool TryParse(string? text, out JsonPath path, out string error)
    {
        path = null!;
        if (text is null)
        {
            error = "the path is missing";
            return false;
        }
        var parser = new JsonPathParser(text.Trim());
        if (!parser.TryParse(out var segments, out error))
        {
            error = $"invalid JSON path '{text}': {error}";
            return false;
        }
        path = new JsonPath(text.Trim(), segments);
        return true;
    }

    /// <summary>Every node the path reaches; a JSON <c>null</c> that is present is returned as <c>null</c>.</summary>
    public IReadOnlyList<JsonNode?> Select(JsonNode? root)
    {
        IReadOnlyList<JsonNode?> current = [root];
        foreach (var segment in _segments)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                segment.Apply(node, next);
            }
            current = next;
            if (current.Count == 0)
            {
                break;
            }
        }
        return current;
    }

    private sealed class JsonPathParser(string text)
    {
        private int _position;

        public bool TryParse(out List<PathSegment> segments, out string error)
        {
            segments = [];
            error = "";
            if (text.Length == 0)
            {
                error = "the path is empty";
                return false;
            }
            if (text[0] == '$')
            {
                _position = 1;
            }
            else if (text[0] != '.' && text[0] != '[')
            {
                // A bare first member name ("hits.hits").
                if (!TryReadDottedName(segments, out error))
                {
                    return false;
                }
            }
            while (_position < text.Length)
            {
                var c = text[_position];
                bool ok;
                if (c == '.')
                {
                    _position++;
                    ok = TryReadDottedName(segments, out error);
                }
                else if (c == '[')
                {
                    ok = TryReadBracket(segments, out error);
                }
                else
                {
                    error = $"unexpected '{c}' at position {_position + 1}";
                    ok = false;
                }
                if (!ok)
                {
                    return false;
                }
            }
            return true;
        }

        private bool TryReadDottedName(List<PathSegment> segments, out string error)
        {
            error = "";
            var start = _position;
            while (_position < text.Length && text[_position] is not ('.' or '[' or ']'))
            {
                _position++;
            }
            var name = text[start.._position];
            if (name.Length == 0)
            {
                error = $"a member name is missing at position {start + 1}";
                return false;
            }
            segments.Add(name == "*" ? new WildcardSegment() : new MemberSegment(name));
            return true;
        }

        private bool TryReadBracket(List<PathSegment> segments, out string error)
        {
            error = "";
            _position++; // '['
            if (_position >= text.Length)
            {
                error = "unclosed '['";
                return false;
            }
            var c = text[_position];
            if (c is '\'' or '"')
            {
                if (!TryReadQuoted(c, out var name, out error))
                {
                    return false;
                }
                segments.Add(new MemberSegment(name));
            }
            else
            {
                var close = text.IndexOf(']', _position);
                if (close < 0)
                {
                    error = "unclosed '['";
                    return false;
                }
                var inner = text[_position..close].Trim();
                _position = close;
                if (inner == "*")
                {
                    segments.Add(new WildcardSegment());
                }
                else if (int.TryParse(inner, System.Globalization.NumberStyles.AllowLeadingSign,
                             System.Globalization.CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(new IndexSegment(index));
                }
                else
                {
                    error = $"'[{inner}]' is neither an index, '*' nor a quoted name";
                    return false;
                }
            }
            if (_position >= text.Length || text[_position] != ']')
            {
                error = "expected ']'";
                return false;
            }
            _position++;
            return true;
        }

        private bool TryReadQuoted(char quote, out string name, out string error)
        {
            var builder = new StringBuilder();
            _position++;
            while (_position < text.Length)
            {
                var c = text[_position];
                if (c == '\\' && _position + 1 < text.Length)
                {
                    builder.Append(text[_position + 1]);
                    _position += 2;
                    continue;
                }
                if (c == quote)
                {
                    _position++;
                    name = builder.ToString();
                    error = "";
                    return true;
                }
                builder.Append(c);
                _position++;
            }
            name = "";
            error = "unclosed quoted name";
            return false;
        }
    }

    private abstract class PathSegment
    {
        public abstract void Apply(JsonNode? node, List<JsonNode?> results);
    }

    private sealed class MemberSegment(string name) : PathSegment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(name, out var child))
            {
                results.Add(child);
            }
        }
    }

    private sealed class IndexSegment(int index) : PathSegment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonArray array)
            {
                var position = index < 0 ? array.Count + index : index;
                if (position >= 0 && position < array.Count)
                {
                    results.Add(array[position]);
                }
            }
        }
    }

    private sealed class WildcardSegment : PathSegment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            switch (node)
            {
                case JsonArray array:
                    results.AddRange(array);
                    break;
                case JsonObject obj:
                    foreach (var property in obj)
                    {
                        results.Add(property.Value);
                    }
                    break;
            }
        }
    }
}

public sealed class JsonPathException(string message) : Exception(message);
