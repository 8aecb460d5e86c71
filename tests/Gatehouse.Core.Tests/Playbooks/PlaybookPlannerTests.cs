using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;

namespace Gatehouse.Core.Tests.Playbooks;

public sealed class PlaybookPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private sealed class AnyCommand : IPlaybookCommands
    {
        public IReadOnlyList<string>? Check(string command, JsonObject parameters, IReadOnlySet<string> templated) => command == "Unknown" ? null : [];
    }

    private static PlaybookDefinition Playbook(string json)
    {
        var errors = new List<string>();
        var playbook = PlaybookParser.Parse(JsonNode.Parse(json), new AnyCommand(), errors);
        Assert.True(playbook is not null, string.Join("\n", errors));
        return playbook;
    }

    private static List<string> Errors(string json)
    {
        var errors = new List<string>();
        Assert.Null(PlaybookParser.Parse(JsonNode.Parse(json), new AnyCommand(), errors));
        return errors;
    }

    private static Dictionary<string, TaskProgress> States(PlaybookDefinition playbook, params (string Id, TaskState State)[] states) =>
        playbook.Tasks.ToDictionary(t => t.Id, t => new TaskProgress(states.FirstOrDefault(s => s.Id == t.Id).State));

    private const string Diamond = """
        {"name":"Diamond","kind":"Event","tasks":[
          {"id":"a","command":"X"},
          {"id":"b","command":"X","after":["a"]},
          {"id":"c","command":"X","after":["a"],"onError":"continue"},
          {"id":"d","command":"X","after":["b","c"]}]}
        """;

    [Fact]
    public void Tasks_without_mutual_dependencies_start_together_and_a_join_waits_for_both()
    {
        var playbook = Playbook(Diamond);
        Assert.Equal(["a"], PlaybookPlanner.Next(playbook, States(playbook), Now).Start);
        Assert.Equal(["b", "c"], PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded)), Now).Start);
        Assert.Empty(PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded), ("b", TaskState.Succeeded), ("c", TaskState.Running)), Now).Start);
        Assert.Equal(["d"], PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded), ("b", TaskState.Skipped), ("c", TaskState.Failed)), Now).Start);
        var done = PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded), ("b", TaskState.Succeeded), ("c", TaskState.Failed), ("d", TaskState.Succeeded)), Now);
        Assert.Equal(RunState.Succeeded, done.Outcome);
    }

    [Fact]
    public void A_stopping_failure_cancels_what_is_pending_and_fails_the_run_once_nothing_runs()
    {
        var playbook = Playbook(Diamond);
        var whileRunning = PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded), ("b", TaskState.Failed), ("c", TaskState.Running)), Now);
        Assert.Equal(["d"], whileRunning.Cancel);
        Assert.Null(whileRunning.Outcome);
        Assert.Empty(whileRunning.Start);
        var after = PlaybookPlanner.Next(playbook, States(playbook, ("a", TaskState.Succeeded), ("b", TaskState.Failed), ("c", TaskState.Succeeded), ("d", TaskState.Cancelled)), Now);
        Assert.Equal(RunState.Failed, after.Outcome);
    }

    [Fact]
    public void A_retry_waits_for_its_backoff()
    {
        var playbook = Playbook(Diamond);
        var states = States(playbook);
        states["a"] = new TaskProgress(TaskState.Pending, Now.AddSeconds(4));
        var waiting = PlaybookPlanner.Next(playbook, states, Now);
        Assert.Empty(waiting.Start);
        Assert.Equal(Now.AddSeconds(4), waiting.WakeAt);
        Assert.Equal(["a"], PlaybookPlanner.Next(playbook, states, Now.AddSeconds(5)).Start);
        var task = playbook.Task("a") with { RetryDelaySeconds = 2 };
        Assert.Equal([2, 4, 8], new[] { 1, 2, 3 }.Select(attempt => PlaybookPlanner.Backoff(task, attempt).TotalSeconds));
    }

    [Fact]
    public void Definitions_are_checked_whole()
    {
        var errors = Errors("""
            {"name":"","kind":"Sometimes","tasks":[
              {"id":"a","command":"Unknown","retries":99,"timeoutSeconds":0,"onError":"explode"},
              {"id":"a","command":"X"},
              {"id":"bad id!","command":"X"}]}
            """);
        Assert.Contains("name: required, at most 200 characters.", errors);
        Assert.Contains("kind: 'Event' or 'Incident'.", errors);
        Assert.Contains("tasks[0].command: there is no command 'Unknown'.", errors);
        Assert.Contains(errors, e => e.StartsWith("tasks[0].retries", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("tasks[0].timeoutSeconds", StringComparison.Ordinal));
        Assert.Contains("tasks[0].onError: 'stop' or 'continue'.", errors);
        Assert.Contains(errors, e => e.StartsWith("tasks[2].id", StringComparison.Ordinal));
        Assert.Contains(Errors("""{"name":"n","kind":"Event","tasks":[{"id":"a","command":"X"},{"id":"a","command":"X"}]}"""),
            e => e.Contains("'a' is used twice", StringComparison.Ordinal));
        Assert.Contains(Errors("""{"name":"n","kind":"Event","tasks":[{"id":"a","command":"X","when":{"field":"x","operator":"sounds like","value":1}}]}"""),
            e => e.StartsWith("tasks[0].when", StringComparison.Ordinal));
        Assert.Contains(Errors("""{"name":"n","kind":"Event","tasks":[{"id":"a","command":"X","after":["c"]},{"id":"b","command":"X","after":["a"]},{"id":"c","command":"X","after":["b"]}]}"""),
            e => e.Contains("cycle: a → c → b → a", StringComparison.Ordinal));
        Assert.Contains(Errors("""{"name":"n","kind":"Event","tasks":[{"id":"a","command":"X","params":{"P":"{{ not a path }}"}}]}"""),
            e => e.StartsWith("tasks[0].params.P", StringComparison.Ordinal));
    }

    [Fact]
    public void Templates_keep_a_whole_values_type_and_fill_text()
    {
        var context = JsonNode.Parse("""
            {"event":{"Severity":"High","Source IP":"10.0.0.1","Raw":{"tags":["a","b"]}},"tasks":{"lookup":{"returnData":{"score":87,"ips":["1.1.1.1","2.2.2.2"]}}}}
            """)!.AsObject();
        var rendered = PlaybookTemplates.Render(JsonNode.Parse("""
            {"Score":"{{ $.tasks.lookup.returnData.score }}","Ips":"{{$.tasks.lookup.returnData.ips}}",
             "Text":"{{ $.event.Severity }} alert from {{ $.event['Source IP'] }}: {{ $.tasks.lookup.returnData.ips }}",
             "Each":"{{ $.event.Raw.tags[*] }}","Missing":"{{ $.event.Nothing }}","Nested":{"List":["{{ $.event.Severity }}", 3]}}
            """), context)!;
        Assert.Equal(87, rendered["Score"]!.GetValue<int>());
        Assert.Equal(["1.1.1.1", "2.2.2.2"], rendered["Ips"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("High alert from 10.0.0.1: [\"1.1.1.1\",\"2.2.2.2\"]", rendered["Text"]!.GetValue<string>());
        Assert.Equal(["a", "b"], rendered["Each"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Null(rendered["Missing"]);
        Assert.Equal("High", rendered["Nested"]!["List"]![0]!.GetValue<string>());
        Assert.Equal([new PlaybookTemplates.Root("tasks", "lookup"), new PlaybookTemplates.Root("event", null)],
            PlaybookTemplates.Roots(JsonNode.Parse("""{"a":"{{ $.tasks.lookup.x }} {{ $.event['Source IP'] }}"}""")));
    }
}
