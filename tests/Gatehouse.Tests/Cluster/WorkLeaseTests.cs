using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Gatehouse.Features.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Tests.Cluster;

/// <summary>Two processors standing for two nodes, on a stored ingestion, with a clock the test moves.</summary>
public abstract class WorkLeaseTests(Provider provider)
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private static readonly IOptions<GatehouseOptions> Options = Microsoft.Extensions.Options.Options.Create(new GatehouseOptions { Intake = { LeaseSeconds = 30 } });

    private static readonly IntakeMetrics Metrics = new(new ServiceCollection().AddMetrics().BuildServiceProvider()
        .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private IngestionProcessor Node(GatehouseDb db)
    {
        var feed = new Gatehouse.Cluster.ChangeFeed();
        var catalog = new Features.Commands.CommandCatalog(feed);
        var library = new Features.Playbooks.PlaybookLibrary(catalog, new WebhookDirectory(feed, null!));
        var attack = new Features.Attack.AttackContent(Options, NullLogger<Features.Attack.AttackContent>.Instance);
        var sandbox = new Gatehouse.Infrastructure.Sandbox.SandboxPool(Options, NullLogger<Gatehouse.Infrastructure.Sandbox.SandboxPool>.Instance);
        var definitions = new IntakeDefinitions(feed, library);
        return new(db, definitions, new IngestionDrafter(db, definitions, new FormatterRunner(catalog, sandbox, _time, Options)), new IngestionApplier(_time, Options),
            attack, new Features.Playbooks.PlaybookSignals(), Metrics, _time, Options, NullLogger<IngestionProcessor>.Instance);
    }

    /// <summary>What the worker does, for one ingestion: the claimed refid and the claim, or null when there was none to claim.</summary>
    private async Task<(string Id, string Claim)?> ClaimOneAsync(GatehouseDb db)
    {
        var (claim, ids) = await Node(db).ClaimBatchAsync(1, CancellationToken.None);
        return ids is [var id] ? (id, claim) : null;
    }

    private async Task<(GatehouseStore Store, string Refid)> StoredIngestionAsync()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        string refid;
        await using (var factory = new GatehouseFactory(store))
        {
            var admin = await factory.AdminAsync();
            var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$.items" });
            var key = await admin.CreateKeyAsync(integration);
            var result = await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite,
                new { items = new[] { new { n = 1 }, new { n = 2 } } }, key.Value, query: "?wait=10"), HttpStatusCode.OK);
            refid = result["refid"]!.GetValue<string>();
        }
        await using var db = store.OpenDb();
        await db.Events.Where(e => e.IngestionId == refid).ExecuteDeleteAsync();
        await db.Ingestions.Where(i => i.Id == refid).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, IngestionStatus.Pending)
            .SetProperty(i => i.ReceivedAt, _time.GetUtcNow().AddYears(-10))
            .SetProperty(i => i.Attempts, 0));
        return (store, refid);
    }

    [Fact]
    public async Task A_claimed_ingestion_is_not_claimed_again_until_its_lease_runs_out()
    {
        var (store, refid) = await StoredIngestionAsync();
        await using var dbA = store.OpenDb();
        await using var dbB = store.OpenDb();

        var first = await ClaimOneAsync(dbA);
        var meanwhile = await ClaimOneAsync(dbB);
        _time.Advance(TimeSpan.FromSeconds(31));
        var afterLease = await ClaimOneAsync(dbB);

        Assert.Equal(refid, first?.Id);
        Assert.Null(meanwhile);
        Assert.Equal(refid, afterLease?.Id);
        Assert.NotEqual(first!.Value.Claim, afterLease!.Value.Claim);
    }

    [Fact]
    public async Task Crash_loop_an_ingestion_whose_node_died_on_every_attempt_is_quarantined_and_never_claimed_again()
    {
        var (store, refid) = await StoredIngestionAsync();
        await using var db = store.OpenDb();

        // Each claim is a node that then died mid-processing: the lease runs out with the attempt counted.
        for (var attempt = 1; attempt <= Options.Value.Intake.MaxAttempts; attempt++)
        {
            Assert.Equal(refid, (await ClaimOneAsync(db))?.Id);
            _time.Advance(TimeSpan.FromSeconds(31));
        }
        var afterLastAttempt = await ClaimOneAsync(db);

        Assert.Null(afterLastAttempt);
        await using var check = store.OpenDb();
        var ingestion = await check.Ingestions.SingleAsync(i => i.Id == refid);
        Assert.Equal(IngestionStatus.Failed, ingestion.Status);
        Assert.Contains("Quarantined", ingestion.LogJson);
        Assert.Null(ingestion.ClaimedBy);
    }

    [Fact]
    public async Task A_retried_ingestion_is_claimed_alone_so_a_poisoned_one_cannot_sink_fresh_work()
    {
        var (store, refid) = await StoredIngestionAsync();
        await using var db = store.OpenDb();
        await ClaimOneAsync(db);
        _time.Advance(TimeSpan.FromSeconds(31));
        var fresh = await db.Ingestions.AsNoTracking().SingleAsync(i => i.Id == refid);
        db.Ingestions.Add(new Ingestion
        {
            Id = Guid.NewGuid().ToString("N"), KeyId = fresh.KeyId, IntegrationId = fresh.IntegrationId, SiteId = fresh.SiteId, Intake = fresh.Intake,
            Body = fresh.Body, ReceivedAt = _time.GetUtcNow().AddYears(-11), Status = IngestionStatus.Pending,
        });
        await db.SaveChangesAsync();

        var (_, retried) = await Node(db).ClaimBatchAsync(32, CancellationToken.None);
        var (_, freshBatch) = await Node(db).ClaimBatchAsync(32, CancellationToken.None);

        Assert.Equal([refid], retried);
        Assert.Single(freshBatch);
        Assert.NotEqual(refid, freshBatch[0]);
    }

    [Fact]
    public async Task A_node_whose_lease_ran_out_cannot_commit_and_the_new_claimant_processes_once()
    {
        var (store, refid) = await StoredIngestionAsync();
        await using var dbA = store.OpenDb();
        await using var dbB = store.OpenDb();
        var stale = (await ClaimOneAsync(dbA))!.Value;
        _time.Advance(TimeSpan.FromSeconds(31));
        var fresh = (await ClaimOneAsync(dbB))!.Value;

        await Node(dbA).ProcessAsync(refid, stale.Claim, CancellationToken.None);
        await Node(dbB).ProcessAsync(refid, fresh.Claim, CancellationToken.None);
        await Node(dbA).ProcessAsync(refid, stale.Claim, CancellationToken.None);

        await using var check = store.OpenDb();
        Assert.Equal(2, await check.Events.CountAsync(e => e.IngestionId == refid));
        Assert.Equal(IngestionStatus.Processed, (await check.Ingestions.SingleAsync(i => i.Id == refid)).Status);
    }

    [Fact]
    public async Task A_commit_by_a_node_that_lost_its_claim_mid_work_is_refused_as_a_whole()
    {
        var (store, refid) = await StoredIngestionAsync();
        await using var dbA = store.OpenDb();
        await using var dbB = store.OpenDb();
        await ClaimOneAsync(dbA);
        // Node A has loaded the ingestion and is working on it when its lease runs out.
        var loadedByA = await dbA.Ingestions.SingleAsync(i => i.Id == refid);
        _time.Advance(TimeSpan.FromSeconds(31));
        await ClaimOneAsync(dbB);

        dbA.Events.Add(new Event { IngestionId = refid, IntegrationId = loadedByA.IntegrationId, SiteId = loadedByA.SiteId, CustomFieldsJson = "{}", RawJson = "{}" });
        loadedByA.Status = IngestionStatus.Processed;
        loadedByA.ClaimedBy = null;

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => dbA.SaveChangesAsync());
        await using var check = store.OpenDb();
        Assert.Equal(0, await check.Events.CountAsync(e => e.IngestionId == refid));
    }
}

public sealed class WorkLeaseTestsOnSqlite() : WorkLeaseTests(Provider.Sqlite);

public sealed class WorkLeaseTestsOnPostgres() : WorkLeaseTests(Provider.Postgres);
