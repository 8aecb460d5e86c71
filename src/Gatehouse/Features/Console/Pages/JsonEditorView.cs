namespace Gatehouse.Features.Console.Pages;

public sealed record JsonEditorView(string Id, string Label, string Url, string Method, string Json, string Button, string Then = "reload", string Done = "Saved.");
