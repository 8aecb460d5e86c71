namespace Gatehouse.Features.Console.Pages;

public sealed class DeniedModel : ConsolePageModel
{
    public void OnGet()
    {
    }
}
