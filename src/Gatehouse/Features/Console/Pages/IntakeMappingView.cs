using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;

namespace Gatehouse.Features.Console.Pages;

public sealed record IntakeMappingView(IntakeKind Kind, IntakeDefinition? Definition, IReadOnlyList<string> Fields);
