namespace Gatehouse.Features.Console.Pages;

public sealed record IntakeOptionsView(
    KeyFormOptions Options, string? DataFormatter, string? EventPlaybook, bool RunMitreTtpSearch, bool RunEventAutomationRules, bool IncidentIntake, string? PlaybookKind = null);
