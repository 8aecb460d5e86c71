using System.Text.Json;

// The baseline of the HTTP benchmark: ASP.NET Core on Kestrel doing nothing but parse the JSON body.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapPost("/ingest", async (HttpRequest request) =>
{
    using var document = await JsonDocument.ParseAsync(request.Body);
    return Results.Accepted();
});
app.MapGet("/ready", () => Results.Ok());
app.Run();
