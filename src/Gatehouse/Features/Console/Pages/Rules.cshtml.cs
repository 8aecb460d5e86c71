using Gatehouse.Features.Auth;
using Gatehouse.Features.Rules;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class RulesModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public const string Template = """
        {
          "name": "Escalate critical alerts",
          "order": 10,
          "type": "Escalation",
          "scope": "AllInternalSites",
          "enabled": true,
          "condition": { "field": "Severity", "operator": "equals", "value": "critical" },
          "escalation": { "incidentType": "Alert", "title": "{{Title}}", "severity": "High" }
        }
        """;

    public IReadOnlyList<RuleView> Rules { get; private set; } = [];

    public async Task OnGetAsync() => Rules = (await AutomationRulesApi.List(db, user, Aborted)).Value ?? [];
}
