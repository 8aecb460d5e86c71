using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Features.Console.Pages;

public sealed class IndexModel : ConsolePageModel
{
    public IActionResult OnGet() => Redirect("/console/configuration");
}
