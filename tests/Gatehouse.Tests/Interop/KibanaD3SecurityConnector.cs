using System.Text.Json.Nodes;

namespace Gatehouse.Tests.Interop;

/// <summary>The generations of Kibana's <c>.d3security</c> connector (elastic/kibana) whose request bodies differ.</summary>
public enum KibanaGeneration { K1, K2, K3, K4 }

/// <summary>
/// The request body each generation of Kibana's D3 Security connector builds from its run parameters
/// (<c>body</c>, <c>severity</c>, <c>eventType</c>; null = not given), reproduced step by step from its source
/// and serialized as <c>JSON.stringify</c> does.
/// </summary>
public static class KibanaD3SecurityConnector
{
    public static string Body(KibanaGeneration generation, string? body, string? severity, string? eventType) => generation switch
    {
        // K1 — elastic/kibana @ 0484761471c58f9126409d721a1f3aefb4ca9471 :
        // x-pack/plugins/stack_connectors/server/connector_types/d3security/index.ts (pre-merge iteration):
        //   const { body:data, severity, eventType } = params;
        //   const bodyData = addSeverityAndEventTypeInBody(String(data),String(severity),String(eventType));
        //   ...
        //   function addSeverityAndEventTypeInBody(bodyString: string,severity: string,eventType: string){
        //     let result;
        //     let bodyObj = bodyString;
        //     try{
        //       bodyObj = JSON.parse(bodyString);
        //     }catch{
        //     }
        //     var resultObj = JSON.parse("{}");
        //     resultObj['hits'] = {
        //       // empty
        //     };
        //     resultObj['hits']['hits'] = {
        //       // empty
        //     };
        //     resultObj['hits']['hits']["_source"] = {
        //       // empty
        //     };
        //     resultObj['hits']['hits']["_source"]["rawData"] = bodyObj;
        //     resultObj['hits']['hits']["_source"]["event.type"] = eventType;
        //     resultObj['hits']['hits']["_source"]["kibana.alert.severity"] = severity;
        //     result = JSON.stringify(resultObj)
        //     return result
        //   }
        KibanaGeneration.K1 => DottedKeys(JsString(body), JsString(severity), JsString(eventType)),

        // K2 — elastic/kibana @ 00c12cdd745cdc5a859a1c3af178b1c9636e5a37 :
        // x-pack/plugins/stack_connectors/server/connector_types/d3security/index.ts (pre-merge iteration); String(...) as K1:
        //     resultObj['hits']['hits']["_source"]["rawData"] = bodyObj;
        //     resultObj['hits']['hits']["_source"]["event"]={};
        //     resultObj['hits']['hits']["_source"]["event"]["type"] = eventType;
        //     resultObj['hits']['hits']["_source"]["kibana"] ={};
        //     resultObj['hits']['hits']["_source"]["kibana"]["alert"]={};
        //     resultObj['hits']['hits']["_source"]["kibana"]["alert"]["severity"] = severity;
        //     result = JSON.stringify(resultObj)
        KibanaGeneration.K2 => NestedKeys(JsString(body), JsString(severity), JsString(eventType)),

        // K3 — elastic/kibana @ 545052db98d6acaeb0892a53f59036f546388ecf :
        // x-pack/plugins/stack_connectors/server/connector_types/d3security/helpers.ts
        //   export const addSeverityAndEventTypeInBody = (
        //     bodyString: string,
        //     severity: string,
        //     eventType: string
        //   ) => {
        //     let bodyObj = bodyString;
        //     try {
        //       bodyObj = JSON.parse(bodyString);
        //     } catch {
        //       // do nothing
        //     }
        //
        //     return JSON.stringify({
        //       hits: {
        //         hits: {
        //           _source: {
        //             rawData: bodyObj,
        //             'event.type': eventType,
        //             'kibana.alert.severity': severity,
        //           },
        //         },
        //       },
        //     });
        //   };
        // called by runApi, elastic/kibana @ 02b178aa208891da50abb195430e01d83417b669 : .../d3security/d3security.ts:
        //   data: addSeverityAndEventTypeInBody(
        //     body ?? '',
        //     severity ?? D3SecuritySeverity.EMPTY,
        //     eventType ?? ''
        //   ),
        //   headers: { d3key: this.token || '' },
        // K4 — elastic/kibana @ 92ce4a466af53eba913e432b6bb98dddff66eb10 (and 8137d1cd) :
        // x-pack/platform/plugins/shared/stack_connectors/server/connector_types/d3security/d3security.ts: the same call of ./helpers
        // (D3SecuritySeverity.EMPTY = '', constants.ts @ 286df830); its unit test @ 77863e41 expects the same bytes.
        _ => DottedKeys(body ?? "", severity ?? "", eventType ?? ""),
    };

    /// <summary>JavaScript's <c>String(value)</c> of an optional string parameter: <c>"undefined"</c> when it was not given.</summary>
    private static string JsString(string? value) => value ?? "undefined";

    /// <summary><c>let bodyObj = bodyString; try { bodyObj = JSON.parse(bodyString); } catch {}</c></summary>
    private static JsonNode? BodyObject(string bodyString) =>
        JavaScriptJson.TryParse(bodyString, out var parsed) ? parsed : JsonValue.Create(bodyString);

    private static string DottedKeys(string bodyString, string severity, string eventType) =>
        JavaScriptJson.Stringify(new JsonObject
        {
            ["hits"] = new JsonObject
            {
                ["hits"] = new JsonObject
                {
                    ["_source"] = new JsonObject { ["rawData"] = BodyObject(bodyString), ["event.type"] = eventType, ["kibana.alert.severity"] = severity },
                },
            },
        });

    private static string NestedKeys(string bodyString, string severity, string eventType) =>
        JavaScriptJson.Stringify(new JsonObject
        {
            ["hits"] = new JsonObject
            {
                ["hits"] = new JsonObject
                {
                    ["_source"] = new JsonObject
                    {
                        ["rawData"] = BodyObject(bodyString),
                        ["event"] = new JsonObject { ["type"] = eventType },
                        ["kibana"] = new JsonObject { ["alert"] = new JsonObject { ["severity"] = severity } },
                    },
                },
            },
        });
}
