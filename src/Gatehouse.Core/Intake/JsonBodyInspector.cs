using System.Text.Json;

namespace Gatehouse.Core.Intake;

public enum JsonBodyProblem
{
    None,
    Empty,
    Malformed,
    TooDeep,
    DuplicateProperty,
    NotObjectOrArray,
    InvalidUtf8,
}

public readonly record struct JsonBodyVerdict(JsonBodyProblem Problem, string Message)
{
    public bool IsValid => Problem == JsonBodyProblem.None;

    public static readonly JsonBodyVerdict Valid = new(JsonBodyProblem.None, "");
}

/// <summary>
/// One forward pass over a request body that says whether it is well-formed UTF-8 JSON within
/// the depth limit, without duplicate member names (a parser differential risk), and whose top
/// level is an object or an array.
/// </summary>
public static class JsonBodyInspector
{
    public static JsonBodyVerdict Inspect(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        if (utf8.IsEmpty || IsAllWhitespace(utf8))
        {
            return new(JsonBodyProblem.Empty, "The request body is empty; a JSON object or array is expected.");
        }
        // The JSON reader does not check the bytes inside strings; a body that is not UTF-8 would fail later, after the 202.
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return new(JsonBodyProblem.InvalidUtf8, "The request body is not valid UTF-8; send JSON encoded as UTF-8.");
        }
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = maxDepth + 1,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        var memberNames = new Stack<HashSet<string>>();
        try
        {
            if (!reader.Read())
            {
                return new(JsonBodyProblem.Empty, "The request body is empty; a JSON object or array is expected.");
            }
            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return new(JsonBodyProblem.NotObjectOrArray, "The request body must be a JSON object or array.");
            }
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= maxDepth)
                        {
                            return new(JsonBodyProblem.TooDeep,
                                $"The JSON body is nested deeper than the limit of {maxDepth} levels.");
                        }
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            memberNames.Push(new HashSet<string>(StringComparer.Ordinal));
                        }
                        break;
                    case JsonTokenType.EndObject:
                        memberNames.Pop();
                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped && !UnescapesToText(ref reader):
                        return LoneSurrogate(reader);
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped && !UnescapesToText(ref reader))
                        {
                            return LoneSurrogate(reader);
                        }
                        var name = reader.GetString()!;
                        if (!memberNames.Peek().Add(name))
                        {
                            return new(JsonBodyProblem.DuplicateProperty,
                                $"The JSON body has the member '{Truncate(name)}' twice in one object.");
                        }
                        break;
                }
            }
            while (reader.Read());
            return JsonBodyVerdict.Valid;
        }
        catch (JsonException ex)
        {
            return new(JsonBodyProblem.Malformed,
                $"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
        catch (InvalidOperationException)
        {
            // GetString on invalid UTF-8 or a bad escape.
            return new(JsonBodyProblem.Malformed, "The request body is not valid UTF-8 JSON.");
        }
    }

    /// <summary>An escape such as <c>\ud800</c> without its pair is valid JSON grammar but no text: every later reader of it would fail.</summary>
    private static bool UnescapesToText(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static JsonBodyVerdict LoneSurrogate(Utf8JsonReader reader) => new(JsonBodyProblem.Malformed,
        $"The request body has a \\u escape that is not a Unicode character (an unpaired surrogate such as \\ud800) near byte {reader.TokenStartIndex + 1}.");

    private static bool IsAllWhitespace(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }
        return true;
    }

    private static string Truncate(string name) => name.Length <= 64 ? name : name[..64] + "…";
}
