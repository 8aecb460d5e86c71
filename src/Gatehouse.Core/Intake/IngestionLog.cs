using System.Text.Json.Nodes;

namespace Gatehouse.Core.Intake;

/// <summary>What processing wrote to an ingestion's log, besides the events and incidents themselves.</summary>
public sealed class IngestionLog
{
    public JsonArray RawData { get; set; } = [];
    public JsonArray Output { get; set; } = [];
    public List<ExtractionError> Errors { get; set; } = [];
    /// <summary>The key's data formatter, when it has one.</summary>
    public string? Formatter { get; set; }
    /// <summary>Events the formatter dropped (it returned null).</summary>
    public List<string> Dropped { get; set; } = [];
    /// <summary>Events not created because their External ID was already ingested for this integration and site.</summary>
    public List<DeduplicatedEvent> Deduplicated { get; set; } = [];
    /// <summary>What each pipeline step did with each event: formatter, deduplication, TTP search, automation rule.</summary>
    public JsonArray Steps { get; set; } = [];
}

/// <summary>An item linked to an event already ingested (<see cref="EventId"/>) or to an earlier item of the same batch (<see cref="SameAsItem"/>).</summary>
public sealed record DeduplicatedEvent(string Item, string ExternalId, long? EventId, string? SameAsItem);
