using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gatehouse.Features.Intake;
using Gatehouse.Storage;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Features.Commands;

/// <summary>The wire answer of a remote command; a command that ran and failed has <c>error</c> set.</summary>
public sealed record CommandResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("returnData")] JsonNode? ReturnData,
    [property: JsonPropertyName("rawData")] JsonNode? RawData,
    [property: JsonPropertyName("contextData")] JsonNode? ContextData)
{
    /// <summary>Paging facts for pollers: Microsoft Sentinel's D3 Smart SOAR connector (3.0.1 and later) stops at <c>$.outputData.TotalPages</c>.</summary>
    [JsonPropertyName("outputData")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? OutputData { get; init; }

    public static CommandResponse Failed(string error) => new(error, null, null, null);
}

/// <summary>What a command runs with: the database, the request's site and the acting user.</summary>
public sealed record CommandContext(GatehouseDb Db, SiteEntry Site, UserEntry User, TimeProvider Time, Core.Attack.AttackCatalog Attack, Core.Sigma.SigmaRuleSet Sigma,
    Playbooks.PlaybookTriggers Playbooks, Incidents.IncidentLifecycle Incidents, Events.EventTriage Triage, int? KeyId = null);

/// <summary>A command that refuses its input says so; the endpoint answers 200 with the message as <c>error</c>.</summary>
public sealed class CommandFailedException(string message) : Exception(message);
