using System.Text.Json.Nodes;
using Gatehouse.Core.Rules;

namespace Gatehouse.Core.Playbooks;

public enum PlaybookKind { Event, Incident }

public enum TaskErrorMode { Stop, Continue }

/// <summary>One step of a playbook: a command run with templated parameters once its dependencies are done.</summary>
public sealed record PlaybookTask(
    string Id,
    string Command,
    JsonObject Params,
    IReadOnlyList<string> After,
    JsonNode? When,
    int? TimeoutSeconds,
    int Retries,
    int RetryDelaySeconds,
    TaskErrorMode OnError)
{
    /// <summary>The compiled <c>when</c> condition, or null when the task always runs.</summary>
    public Condition? Condition { get; init; }
}

/// <summary>A validated playbook: a named graph of tasks without cycles.</summary>
public sealed record PlaybookDefinition(string Name, PlaybookKind Kind, string? Description, IReadOnlyList<PlaybookTask> Tasks)
{
    public PlaybookTask Task(string id) => Tasks.First(t => t.Id == id);
}

/// <summary>What a playbook's validation needs to know about commands, answered by the host's catalogue.</summary>
public interface IPlaybookCommands
{
    /// <summary>The problems of these (untemplated) parameters for the command, or null when there is no such command.</summary>
    IReadOnlyList<string>? Check(string command, JsonObject parameters, IReadOnlySet<string> templated);
}
