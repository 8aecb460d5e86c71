using System.CommandLine;

namespace Gatehouse.Cli;

/// <summary>The <c>gatehouse</c> verbs. With no verb (or only options), it serves.</summary>
public static class GatehouseCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is [Infrastructure.Sandbox.SandboxProcess.SandboxVerb])
        {
            return await SandboxWorkerAsync();
        }
        var root = new RootCommand("Gatehouse: a self-hosted SOAR webhook gateway.");
        var serve = new Command("serve", "Start the server (the default). Other options, such as --urls, go to the host configuration.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction((result, cancellationToken) => ServeAsync([.. result.UnmatchedTokens], cancellationToken));
        root.Subcommands.Add(serve);
        root.Subcommands.Add(TokenCommands.Token());
        root.Subcommands.Add(TokenCommands.Send());
        root.Subcommands.Add(AttackCommands.Attack());

        // No verb: serve with every argument as host configuration (this is also how the test host starts it).
        if (args.Length == 0 || args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "--version"))
        {
            return await ServeAsync(args, CancellationToken.None);
        }
        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>A sandbox process of the server's pool: requests on standard input, replies on standard output, nothing else.</summary>
    private static async Task<int> SandboxWorkerAsync()
    {
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        Console.SetOut(TextWriter.Null);
        await Core.Scripting.SandboxWorker.ServeAsync(input, output);
        return 0;
    }

    private static async Task<int> ServeAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
        builder.AddGatehouse();
        var app = builder.Build();
        app.MapGatehouse();
        await app.InitializeGatehouseAsync();
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// The app's own folder, so that its appsettings.json is read wherever it is started from (the
    /// framework's default is the working directory); null when the operator chose one
    /// (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>). The data directory
    /// stays relative to the working directory.
    /// </summary>
    private static string? ContentRoot(string[] args)
    {
        var chosen = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrEmpty(chosen) ? AppContext.BaseDirectory : null;
    }
}
