using System.CommandLine;
using Gatehouse.Core.Attack;
using Gatehouse.Features.Attack;

namespace Gatehouse.Cli;

/// <summary><c>gatehouse attack import FILE</c>: check a MITRE ATT&amp;CK bundle and install it in the data directory.</summary>
public static class AttackCommands
{
    public static Command Attack()
    {
        var file = new Argument<FileInfo>("file") { Description = "A MITRE ATT&CK STIX bundle, e.g. enterprise-attack.json (STIX 2.0 or 2.1)." };
        var dataDirectory = new Option<string>("--data-directory") { Description = "The data directory (default ./data, as Gatehouse:DataDirectory)." };
        var import = new Command("import", "Check a MITRE ATT&CK bundle and install it for the server (used when Gatehouse:Attack:BundlePath is not set).") { file, dataDirectory };
        import.SetAction(result =>
        {
            var source = result.GetValue(file)!;
            if (!source.Exists)
            {
                Console.Error.WriteLine($"There is no file {source.FullName}.");
                return 2;
            }
            AttackCatalog catalog;
            try
            {
                using var stream = source.OpenRead();
                catalog = AttackCatalog.Load(stream);
            }
            catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"{source.Name} is not a MITRE ATT&CK STIX bundle: {ex.Message}");
                return 1;
            }
            if (catalog.IsEmpty)
            {
                Console.Error.WriteLine($"{source.Name} holds no ATT&CK techniques.");
                return 1;
            }
            var target = AttackContent.ImportedPath(Path.GetFullPath(result.GetValue(dataDirectory) ?? "data"));
            Infrastructure.DataDirectory.Secure(Path.GetDirectoryName(target)!);
            File.Copy(source.FullName, target, overwrite: true);
            Console.Out.WriteLine($"Imported {catalog.Techniques.Count(t => !t.Revoked && !t.Deprecated)} techniques and {catalog.Tactics.Count} tactics into {target}; restart the server to use them.");
            return 0;
        });
        return new Command("attack", "MITRE ATT&CK content.") { import };
    }
}
