using Gatehouse.Core.Attack;

namespace Gatehouse.Core.Tests.Attack;

public class AttackMatrixTests
{
    private static Lazy<AttackCatalog> Catalog => MitreBundle.Catalog;

    [Fact]
    public void The_catalogues_tactics_follow_the_order_of_MITREs_matrix()
    {
        Assert.Equal(
            ["TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040"],
            Catalog.Value.MatrixTactics.Select(t => t.Id));
    }

    [Fact]
    public void A_technique_counts_each_event_once_with_its_sub_techniques_under_it_in_each_of_its_tactics()
    {
        var matrix = AttackMatrix.Build(Catalog.Value, [
            ["T1059.001", "T1059.001"],
            ["T1059.001", "T1059.003"],
            ["t1059"],
            ["T1078"],
            ["TA0002"],
            ["T9999"],
        ]);

        Assert.Equal(6, matrix.Events);
        var execution = matrix.Columns.Single(c => c.TacticId == "TA0002");
        Assert.Equal(1, execution.TacticOnlyEvents);
        var interpreter = execution.Techniques.Single(t => t.Id == "T1059");
        Assert.Equal(3, interpreter.Events); // the second event shows two of its sub-techniques and counts once
        Assert.Equal([("T1059.001", 2), ("T1059.003", 1)], interpreter.SubTechniques.Select(s => (s.Id, s.Events)));
        Assert.Equal("PowerShell", interpreter.SubTechniques[0].Name);
        // Valid Accounts serves four tactics and shows in each column.
        Assert.Equal(["TA0001", "TA0003", "TA0004", "TA0005"],
            matrix.Columns.Where(c => c.Techniques.Any(t => t.Id == "T1078")).Select(c => c.TacticId).Order());
        Assert.Equal("T9999", Assert.Single(matrix.NotInCatalog).Id);
        Assert.All(matrix.Columns.Where(c => c.TacticId is "TA0043" or "TA0040"), c => Assert.Empty(c.Techniques));
    }

    [Fact]
    public void A_revoked_id_counts_for_the_technique_that_replaced_it()
    {
        var revoked = Catalog.Value.Techniques.First(t => t.Revoked && t.RevokedBy is not null);
        var replacement = Catalog.Value.Technique(revoked.Id)!;
        var matrix = AttackMatrix.Build(Catalog.Value, [[revoked.Id]]);
        var cells = matrix.Columns.SelectMany(c => c.Techniques).SelectMany(t => t.SubTechniques.Append(t)).Select(c => c.Id).Distinct();
        Assert.Contains(replacement.Id, cells);
        Assert.DoesNotContain(revoked.Id, cells);
    }

    [Fact]
    public void No_events_make_an_empty_matrix_with_every_tactic()
    {
        var matrix = AttackMatrix.Build(Catalog.Value, []);
        Assert.Equal(0, matrix.Events);
        Assert.Equal(14, matrix.Columns.Count);
        Assert.All(matrix.Columns, c => Assert.Empty(c.Techniques));
    }
}
