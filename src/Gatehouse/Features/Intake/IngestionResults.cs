using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Events;
using Gatehouse.Features.Incidents;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

/// <summary>The answer to a sender that waited: what its request became.</summary>
public sealed record IngestionResult(
    string Refid,
    IngestionStatus Status,
    IReadOnlyList<EventView> Events,
    IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<ExtractionError> Errors,
    IReadOnlyList<DeduplicatedEvent> Deduplicated,
    IReadOnlyList<string> Dropped);

/// <summary>The ingestion log: input, raw data, output, event list, incident list, error log.</summary>
public sealed record IngestionView(
    string Refid,
    IngestionStatus Status,
    string Integration,
    string Site,
    IntakeKind Intake,
    int KeyId,
    string? KeyName,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProcessedAt,
    int Attempts,
    JsonNode? Input,
    JsonArray RawData,
    JsonArray Output,
    IReadOnlyList<EventView> Events,
    IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<ExtractionError> Errors,
    string? Formatter,
    IReadOnlyList<DeduplicatedEvent> Deduplicated,
    IReadOnlyList<string> Dropped,
    JsonArray Steps,
    string? SourceAddress);

public sealed class IngestionResults(GatehouseDb db)
{
    public async Task<IngestionResult> ResultAsync(string refid, CancellationToken cancellationToken)
    {
        var ingestion = await db.Ingestions.AsNoTracking().FirstAsync(i => i.Id == refid, cancellationToken);
        var (events, incidents) = await ProductsAsync(refid, cancellationToken);
        var log = IngestionLogJson.Deserialize(ingestion.LogJson);
        return new IngestionResult(refid, ingestion.Status, events, incidents, log.Errors, log.Deduplicated, log.Dropped);
    }

    public async Task<IngestionView?> ViewAsync(string refid, IReadOnlySet<int> viewerSites, CancellationToken cancellationToken)
    {
        var ingestion = await db.Ingestions.AsNoTracking().Include(i => i.Integration).Include(i => i.Site)
            .FirstOrDefaultAsync(i => i.Id == refid, cancellationToken);
        if (ingestion is null || !viewerSites.Contains(ingestion.SiteId))
        {
            return null;
        }
        var (events, incidents) = await ProductsAsync(refid, cancellationToken);
        var log = IngestionLogJson.Deserialize(ingestion.LogJson);
        var keyName = await db.WebhookKeys.AsNoTracking().Where(k => k.Id == ingestion.KeyId).Select(k => k.Name).FirstOrDefaultAsync(cancellationToken);
        return new IngestionView(
            ingestion.Id, ingestion.Status, ingestion.Integration!.Name, ingestion.Site!.Name, ingestion.Intake, ingestion.KeyId, keyName,
            ingestion.ReceivedAt, ingestion.ProcessedAt, ingestion.Attempts,
            GatehouseJson.ParseStored(ingestion.Body), log.RawData, log.Output, events, incidents, log.Errors, log.Formatter, log.Deduplicated, log.Dropped, log.Steps,
            ingestion.SourceAddress);
    }

    private async Task<(List<EventView>, List<IncidentView>)> ProductsAsync(string refid, CancellationToken cancellationToken)
    {
        var events = await db.Events.AsNoTracking().Include(e => e.Site).Include(e => e.Integration).Include(e => e.Incidents)
            .Where(e => e.IngestionId == refid).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var incidents = await db.Incidents.AsNoTracking().Include(i => i.Site).Include(i => i.Integration).Include(i => i.Events)
            .Where(i => i.IngestionId == refid).OrderBy(i => i.Id).ToListAsync(cancellationToken);
        return (events.Select(e => EventView.From(e, withRaw: false)).ToList(),
                incidents.Select(i => IncidentView.From(i, [], withRaw: false)).ToList());
    }
}
