using System.Reflection;
using System.Runtime.Loader;
using Gatehouse.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// A client generated from the served OpenAPI document works: NSwag (from NuGet, with its usual settings: one client
/// named by operationId, System.Text.Json, optional parameters) writes C# from <c>/openapi/v1.json</c>, Roslyn compiles
/// it with the README's walk-through written against the generated types, and the walk-through runs through it. A
/// document that generates no client, a type that does not deserialize, a status the document does not list or a
/// walk-through step that no longer works fails here.
/// </summary>
public sealed class GeneratedClientTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task The_readme_walkthrough_runs_through_a_client_generated_from_the_openapi_document()
    {
        var document = await OpenApiDocument.FromJsonAsync(await fixture.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var code = Generate(document);

        var assembly = Compile(code, Resource("GeneratedClient.Walkthrough.cs"), out var context);
        try
        {
            var run = assembly.GetType("Generated.Walkthrough")!.GetMethod("RunAsync")!;
            Func<HttpClient> newClient = () => fixture.Factory.CreateClient();
            var said = await (Task<List<string>>)run.Invoke(null, [newClient, fixture.Factory.Server.BaseAddress.ToString(), GatehouseFactory.AdminPassword])!;
            Assert.Equal(8, said.Count);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public async Task Every_operation_has_a_unique_operation_id_so_generated_methods_have_stable_names()
    {
        var document = await OpenApiDocument.FromJsonAsync(await fixture.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var ids = document.Operations.Select(o => o.Operation.OperationId).ToList();

        Assert.All(document.Operations, o => Assert.False(string.IsNullOrEmpty(o.Operation.OperationId), $"{o.Method} {o.Path} has no operationId"));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    private static string Generate(OpenApiDocument document)
    {
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "GatehouseApi",
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
            GenerateOptionalParameters = true,
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = CSharpJsonLibrary.SystemTextJson;
        return new CSharpClientGenerator(document, settings).GenerateFile();
    }

    private static Assembly Compile(string client, string walkthrough, out AssemblyLoadContext context)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == Path.GetDirectoryName(typeof(object).Assembly.Location))
            .Select(path => MetadataReference.CreateFromFile(path));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("GeneratedGatehouseClient",
            [CSharpSyntaxTree.ParseText(client, parse, "Client.cs"), CSharpSyntaxTree.ParseText(walkthrough, parse, "Walkthrough.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(d => d.ToString()).ToList();
        Assert.True(emitted.Success, "The generated client does not compile with the walk-through:\n" + string.Join("\n", errors));
        image.Position = 0;
        context = new AssemblyLoadContext("generated-client", isCollectible: true);
        return context.LoadFromStream(image);
    }

    private static string Resource(string name)
    {
        using var stream = typeof(GeneratedClientTests).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"No embedded resource {name}.");
        return new StreamReader(stream).ReadToEnd();
    }
}
