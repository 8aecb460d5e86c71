using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;

namespace Gatehouse.Core.Tests.Attack;

public class AttackCatalogTests
{
    private static readonly Lazy<AttackCatalog> Catalog = new(() =>
    {
        using var stream = File.OpenRead(SharedData.Path("attack/enterprise-attack-18.1.json"));
        return AttackCatalog.Load(stream);
    });

    [Fact]
    public void MITREs_bundle_loads_with_its_techniques_sub_techniques_and_tactics()
    {
        var catalog = Catalog.Value;

        var current = catalog.Techniques.Where(t => !t.Revoked && !t.Deprecated).ToList();
        Assert.Equal(835, catalog.Techniques.Count);
        Assert.Equal(691, current.Count);
        Assert.Equal(216, current.Count(t => !t.Id.Contains('.')));
        Assert.Equal(475, current.Count(t => t.Id.Contains('.')));
        Assert.Equal(14, catalog.Tactics.Count);
        var powershell = catalog.Technique("t1059.001")!;
        Assert.Equal("PowerShell", powershell.Name);
        Assert.Equal([("TA0002", "Execution")], powershell.Tactics.Select(t => (t.Id, t.Name)));
    }

    [Fact]
    public void Revoked_techniques_resolve_to_their_replacement()
    {
        var catalog = Catalog.Value;
        var revoked = catalog.Techniques.First(t => t.Revoked && t.RevokedBy is not null);

        var resolved = catalog.Technique(revoked.Id)!;

        Assert.False(resolved.Revoked);
        Assert.Equal(revoked.RevokedBy, resolved.Id);
    }

    [Fact]
    public void Search_finds_explicit_ids_and_exact_names_with_evidence()
    {
        var raw = JsonNode.Parse("""{"rule":{"tags":["attack.t1059.001","T1566.001"],"name":"Spearphishing Attachment"},"note":"TA0002 seen","other":"PowerShell"}""");

        var matches = TtpSearch.Search(raw, new Dictionary<string, string> { ["Technique"] = "Process Injection" }, Catalog.Value);

        var byId = matches.ToDictionary(m => m.TechniqueId);
        Assert.Equal("explicit-id", byId["T1566.001"].Layer);
        Assert.Equal("Spearphishing Attachment", byId["T1566.001"].TechniqueName);
        Assert.Contains(byId["T1566.001"].Evidence, e => e.Field == "$['rule']['tags'][1]" && e.Value == "T1566.001");
        Assert.Equal("technique-name", byId["T1055"].Layer);
        Assert.Equal("low", byId["T1055"].Confidence);
        Assert.Equal("Technique", Assert.Single(byId["T1055"].Evidence).Field);
        Assert.True(byId.ContainsKey("TA0002"));
        Assert.Equal("Execution", byId["TA0002"].TechniqueName);
        Assert.Equal("PowerShell", byId["T1059.001"].TechniqueName);
        Assert.Equal("explicit-id", byId["T1059.001"].Layer);
        Assert.Contains(byId["T1059.001"].Evidence, e => e.Value == "T1059.001" && e.Field == "$['rule']['tags'][0]");
    }

    [Fact]
    public void Without_a_catalogue_explicit_ids_are_still_reported()
    {
        var matches = TtpSearch.Search(JsonNode.Parse("""{"x":"T1003.001 and PowerShell"}"""), new Dictionary<string, string>(), AttackCatalog.Empty);

        var match = Assert.Single(matches);
        Assert.Equal("T1003.001", match.TechniqueId);
        Assert.Null(match.TechniqueName);
    }

    [Fact]
    public void A_file_that_is_not_a_bundle_is_refused()
    {
        using var stream = new MemoryStream("""{"type":"not-a-bundle"}"""u8.ToArray());

        Assert.Throws<InvalidDataException>(() => AttackCatalog.Load(stream));
    }

    // Regression (detection on real telemetry): SourceName "PowerShell" yielded T1059.001 on every PowerShell event.
    [Fact]
    public void Technique_names_count_only_in_fields_meant_to_carry_them()
    {
        var routine = JsonNode.Parse("""{"SourceName":"PowerShell","ObjectServer":"Security Account Manager","Product":"Python"}""");
        var labelled = JsonNode.Parse("""{"threat":{"technique":{"name":"Process Injection"}},"mitre":"OS Credential Dumping"}""");

        Assert.Empty(TtpSearch.Search(routine, new Dictionary<string, string>(), Catalog.Value));
        var found = TtpSearch.Search(labelled, new Dictionary<string, string>(), Catalog.Value).ToDictionary(m => m.TechniqueId);
        Assert.Equal("$['threat']['technique']['name']", Assert.Single(found["T1055"].Evidence).Field);
        Assert.Equal("technique-name", found["T1003"].Layer);
    }
}
