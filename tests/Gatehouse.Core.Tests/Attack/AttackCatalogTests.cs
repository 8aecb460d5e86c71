using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;

namespace Gatehouse.Core.Tests.Attack;

public class AttackCatalogTests
{
    private static Lazy<AttackCatalog> Catalog => MitreBundle.Catalog;

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
        var raw = JsonNode.Parse("""{"rule":{"tags":["attack.t1059.001","T1566.001"],"name":"Spearphishing Attachment"},"tactic":"TA0002 seen","other":"PowerShell"}""");

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

    // Regression (red team): accounts, hosts and files named like IDs ("t1078", "srv-t1003", "Q3-T1000.xlsx", "WS-TA0001") were reported as techniques.
    [Fact]
    public void Technique_ids_outside_technique_fields_count_only_as_tags_or_as_MITRE_writes_a_known_technique()
    {
        var routine = JsonNode.Parse("""{"Computer":"srv-t1003.corp.local","Account":"CORP\\t1078","WorkstationName":"WS-TA0001","ObjectName":"C:\\Users\\alice\\Q3-T1000.xlsx"}""");
        var alert = JsonNode.Parse("""{"name":"T1059.001 seen on host","labels":"attack.t1566.001"}""");

        Assert.Empty(TtpSearch.Search(routine, new Dictionary<string, string>(), Catalog.Value));
        Assert.Equal(["T1059.001", "T1566.001"], TtpSearch.Search(alert, new Dictionary<string, string>(), Catalog.Value).Select(m => m.TechniqueId).Order());
        Assert.Contains(TtpSearch.Search(routine, new Dictionary<string, string>(), Catalog.Value, idsAnywhere: true), m => m.TechniqueId == "T1000" && m.InCatalog == false);
    }

    [Theory]
    [InlineData("$['tactical_ops']['status']", false)]
    [InlineData("$['mitre_lab']['ObjectServer']", false)]
    [InlineData("$['threat']['technique']['name']", true)]
    [InlineData("$['mitreTechnique']", true)]
    [InlineData("$['alerts'][0]['techniques'][1]", true)]
    [InlineData("Technique", true)]
    public void A_field_carries_technique_names_by_the_words_of_its_own_name(string field, bool carries) =>
        Assert.Equal(carries, FieldNames.CarriesTechniques(field, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "technique", "techniques", "tactic", "mitre" }));
}
