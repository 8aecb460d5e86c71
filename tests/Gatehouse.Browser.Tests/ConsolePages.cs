using Microsoft.Playwright;

namespace Gatehouse.Browser.Tests;

/// <summary>What a person does in the console, written once for every test.</summary>
public static class ConsolePages
{
    public static async Task SignInAsync(this IPage page, string username, string password)
    {
        await page.GotoAsync("/console/login");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signed-in-user")).ToHaveTextAsync(username);
    }

    public static async Task<string> ClipboardAsync(this IPage page) =>
        await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");

    /// <summary>Clicks a copy button and returns what it put on the clipboard.</summary>
    public static async Task<string> CopyAsync(this IPage page, string buttonName)
    {
        await page.EvaluateAsync("() => { document.getElementById('console-status').textContent = ''; return navigator.clipboard.writeText(''); }");
        await page.GetByRole(AriaRole.Button, new() { Name = buttonName, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#console-status")).ToContainTextAsync("copied to the clipboard");
        return await page.ClipboardAsync();
    }

    public static async Task ScreenshotAsync(this IPage page, string name, bool fullPage = false)
    {
        var path = Path.Combine(ConsoleFixture.ScreenshotFolder, $"{name}.png");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        TestContext.Current.SendDiagnosticMessage($"Screenshot: {path}");
    }

    /// <summary>A screenshot of one part of a page.</summary>
    public static async Task ScreenshotAsync(this ILocator part, string name)
    {
        var path = Path.Combine(ConsoleFixture.ScreenshotFolder, $"{name}.png");
        await part.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        TestContext.Current.SendDiagnosticMessage($"Screenshot: {path}");
    }

    /// <summary>Waits for the status line a console action writes when it succeeded, failing with the error line otherwise.</summary>
    public static async Task ExpectStatusAsync(this IPage page, string text)
    {
        var status = page.Locator("#console-status");
        var error = page.Locator("#console-error");
        await page.WaitForFunctionAsync("() => document.getElementById('console-status')?.textContent || document.getElementById('console-error')?.textContent");
        Assert.True(await error.TextContentAsync() is null or "", $"The console reported an error: {await error.TextContentAsync()}");
        await Assertions.Expect(status).ToContainTextAsync(text);
    }
}
