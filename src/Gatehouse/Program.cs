using Gatehouse.Cli;

return await GatehouseCli.RunAsync(args);

/// <summary>The entry point; public so the test host can find it.</summary>
public partial class Program;
