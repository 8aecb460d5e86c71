using System.Text.Json;
using Gatehouse.Core.Intake;
using Gatehouse.Infrastructure;

namespace Gatehouse.Features.Intake;

/// <summary>How an ingestion's log is stored.</summary>
public static class IngestionLogJson
{
    public static string Serialize(IngestionLog log) => JsonSerializer.Serialize(log, GatehouseJson.Options);

    public static IngestionLog Deserialize(string? json) =>
        json is null ? new IngestionLog() : JsonSerializer.Deserialize<IngestionLog>(json, GatehouseJson.Options) ?? new IngestionLog();
}
