using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core.Rules;

namespace Gatehouse.Core.Playbooks;

/// <summary>
/// Reads and checks a playbook definition, listing every problem at once with its place
/// (<c>tasks[2].params.Severity</c>): unknown commands, parameters the command's schema refuses
/// (where not templated), unknown or cyclic dependencies, templates that read a task the step does
/// not wait for, bad conditions, limits.
/// </summary>
public static partial class PlaybookParser
{
    public const int MaxTasks = 100;
    public const int MaxRetries = 10;
    public const int MaxTimeoutSeconds = 3600;

    private static readonly string[] PlaybookMembers = ["name", "kind", "description", "tasks"];

    private static readonly string[] TaskMembers = ["id", "command", "params", "after", "when", "timeoutSeconds", "retries", "retryDelaySeconds", "onError"];

    /// <summary>A misspelt member would be ignored silently: it is refused, with the known ones.</summary>
    private static void Unknown(JsonObject obj, string[] known, string prefix, List<string> errors)
    {
        foreach (var (member, _) in obj.Where(m => !known.Contains(m.Key, StringComparer.Ordinal)).Take(10))
        {
            var shown = member.Length > 100 ? member[..100] + "…" : member;
            errors.Add($"'{prefix}{shown}' is not a member of a {(prefix.Length == 0 ? "playbook" : "task")}; known members: {string.Join(", ", known)}.");
        }
    }

    /// <summary>One of the enum's names in any case — not a number or a comma-separated list, which Enum.TryParse also takes.</summary>
    private static bool EnumName<T>(string? text, out T value) where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }

    /// <param name="storedEarlier">A version saved before unknown members were refused: read it as it is.</param>
    public static PlaybookDefinition? Parse(JsonNode? body, IPlaybookCommands commands, List<string> errors, bool storedEarlier = false)
    {
        if (body is not JsonObject obj)
        {
            errors.Add("A playbook is a JSON object: {\"name\", \"kind\", \"tasks\": [...]}.");
            return null;
        }
        if (!storedEarlier)
        {
            Unknown(obj, PlaybookMembers, "", errors);
        }
        var name = Text(obj, "name");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors.Add("name: required, at most 200 characters.");
        }
        var kindText = Text(obj, "kind");
        if (!EnumName(kindText, out PlaybookKind kind))
        {
            errors.Add("kind: 'Event' or 'Incident'.");
        }
        if (obj["tasks"] is not JsonArray list || list.Count == 0 || list.Count > MaxTasks)
        {
            errors.Add($"tasks: a list of 1 to {MaxTasks} tasks.");
            return null;
        }
        // Every task is read (and its problems listed) before the graph is checked, so one 400 lists all.
        var tasks = list.Select((node, i) => Task(node, $"tasks[{i}]", commands, errors, storedEarlier)).ToList();
        if (tasks.Any(t => t is null))
        {
            return null;
        }
        var valid = tasks.Select(t => t!).ToList();
        CheckGraph(valid, kind, errors);
        return errors.Count > 0 ? null : new PlaybookDefinition(name!.Trim(), kind, Text(obj, "description"), valid);
    }

    private static PlaybookTask? Task(JsonNode? node, string label, IPlaybookCommands commands, List<string> errors, bool storedEarlier)
    {
        if (node is not JsonObject task)
        {
            errors.Add($"{label}: a task is an object: {{\"id\", \"command\", \"params\", ...}}.");
            return null;
        }
        if (!storedEarlier)
        {
            Unknown(task, TaskMembers, $"{label}.", errors);
        }
        var id = Text(task, "id");
        if (id is null || !TaskId().IsMatch(id))
        {
            errors.Add($"{label}.id: required; letters, digits, '_' and '-', at most 64.");
        }
        var command = Text(task, "command");
        var parameters = task["params"] as JsonObject ?? [];
        if (task["params"] is { } p && p is not JsonObject)
        {
            errors.Add($"{label}.params: an object of parameter values.");
        }
        if (string.IsNullOrWhiteSpace(command))
        {
            errors.Add($"{label}.command: required (a utility command, or 'Integration/Command').");
        }
        else
        {
            var templated = parameters.Where(kv => PlaybookTemplates.IsTemplated(kv.Value)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            var untemplated = new JsonObject(parameters.Where(kv => !templated.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
            switch (commands.Check(command, untemplated, templated))
            {
                case null:
                    errors.Add($"{label}.command: there is no command '{command}'.");
                    break;
                case var problems:
                    errors.AddRange(problems.Select(problem => $"{label}.params: {problem}"));
                    break;
            }
        }
        var after = task["after"] switch
        {
            null => [],
            JsonArray ids when ids.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String) => ids.Select(i => i!.GetValue<string>()).ToList(),
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            _ => Invalid<List<string>>(errors, $"{label}.after: a list of task ids.", []),
        };
        var timeout = Number(task, "timeoutSeconds", 1, MaxTimeoutSeconds, $"{label}.timeoutSeconds", errors);
        var retries = Number(task, "retries", 0, MaxRetries, $"{label}.retries", errors) ?? 0;
        var delay = Number(task, "retryDelaySeconds", 0, MaxTimeoutSeconds, $"{label}.retryDelaySeconds", errors) ?? 1;
        var onErrorText = Text(task, "onError") ?? "stop";
        if (!EnumName(onErrorText, out TaskErrorMode onError))
        {
            errors.Add($"{label}.onError: 'stop' or 'continue'.");
        }
        Condition? condition = null;
        if (task["when"] is { } when)
        {
            condition = Condition.Compile(when, $"{label}.when", errors);
        }
        foreach (var (parameter, value) in parameters)
        {
            foreach (var problem in PlaybookTemplates.Problems(value))
            {
                errors.Add($"{label}.params.{parameter}: {problem}");
            }
        }
        // A task with problems is still returned when it has an id, so the graph can be checked too.
        return id is null || !TaskId().IsMatch(id)
            ? null
            : new PlaybookTask(id, command?.Trim() ?? "", parameters.DeepClone().AsObject(), after, task["when"]?.DeepClone(), timeout, retries, delay, onError) { Condition = condition };
    }

    /// <summary>Unique ids, known dependencies, no cycles, and templates that read only what is there when the task runs.</summary>
    private static void CheckGraph(List<PlaybookTask> tasks, PlaybookKind kind, List<string> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var duplicate in tasks.Where(t => !ids.Add(t.Id)).Select(t => t.Id).Distinct())
        {
            errors.Add($"tasks: the id '{duplicate}' is used twice.");
        }
        foreach (var (task, index) in tasks.Select((t, i) => (t, i)))
        {
            foreach (var unknown in task.After.Where(a => !ids.Contains(a)))
            {
                errors.Add($"tasks[{index}].after: there is no task '{unknown}'.");
            }
        }
        if (errors.Count > 0)
        {
            return;
        }
        if (FindCycle(tasks) is { } cycle)
        {
            errors.Add($"tasks: the dependencies form a cycle: {string.Join(" → ", cycle)}.");
            return;
        }
        var subject = kind == PlaybookKind.Event ? "event" : "incident";
        foreach (var (task, index) in tasks.Select((t, i) => (t, i)))
        {
            var waitsFor = Ancestors(task, tasks);
            foreach (var (parameter, value) in task.Params)
            {
                foreach (var root in PlaybookTemplates.Roots(value))
                {
                    if (root.Kind is "event" or "incident" && root.Kind != subject)
                    {
                        errors.Add($"tasks[{index}].params.{parameter}: an {kind} playbook has no $.{root.Kind}; use $.{subject}.");
                    }
                    else if (root.Kind == "tasks" && (root.Task is null || !waitsFor.Contains(root.Task)))
                    {
                        errors.Add($"tasks[{index}].params.{parameter}: reads task '{root.Task}', which this task does not wait for (add it to 'after').");
                    }
                    else if (root.Kind is not ("event" or "incident" or "tasks" or "run"))
                    {
                        errors.Add($"tasks[{index}].params.{parameter}: templates read $.{subject}, $.tasks.<id> or $.run.");
                    }
                }
            }
        }
    }

    private static HashSet<string> Ancestors(PlaybookTask task, List<PlaybookTask> tasks)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(task.After);
        while (stack.TryPop(out var id))
        {
            if (seen.Add(id))
            {
                foreach (var next in tasks.First(t => t.Id == id).After)
                {
                    stack.Push(next);
                }
            }
        }
        return seen;
    }

    private static List<string>? FindCycle(List<PlaybookTask> tasks)
    {
        var byId = tasks.ToDictionary(t => t.Id);
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string id)
        {
            state[id] = 1;
            path.Add(id);
            foreach (var next in byId[id].After)
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[id] = 2;
            return null;
        }
        return tasks.Select(t => state.GetValueOrDefault(t.Id) == 0 ? Visit(t.Id) : null).FirstOrDefault(c => c is not null);
    }

    private static int? Number(JsonObject obj, string name, int min, int max, string label, List<string> errors)
    {
        if (obj[name] is null)
        {
            return null;
        }
        if (obj[name] is JsonValue value && value.TryGetValue<int>(out var number) && number >= min && number <= max)
        {
            return number;
        }
        errors.Add($"{label}: a whole number from {min} to {max}.");
        return null;
    }

    private static T Invalid<T>(List<string> errors, string message, T fallback)
    {
        errors.Add(message);
        return fallback;
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TaskId();
}
