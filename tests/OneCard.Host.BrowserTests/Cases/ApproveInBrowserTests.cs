using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The clerk's path through the web UI in a real Chromium against the real host on Kestrel:
/// sign in, find the task, read the rule results, approve, and see the case reach county review.
/// </summary>
public sealed class ApproveInBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OneCardApp app = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private string baseUrl = "";

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync(useKestrel: true);
        baseUrl = app.BaseAddress.ToString().TrimEnd('/');
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Clerk_ApprovesCaseInBrowser_AndCaseMovesToCountyReview()
    {
        var clerk = await app.SignInAsync("clerk");
        var submitted = await clerk.PostAsJsonAsync("/api/applications", new
        {
            policyCode = "arable-land-protection",
            period = "2026",
            lines = new object[] { Claims.Line("张三", "210124198001011230", 12.5m), Claims.Line("李四", "210124197505051231", 3m, converted: true) },
        });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var created = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        var number = created.GetProperty("number").GetString()!;

        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        page.Console += (_, m) => { if (m.Type == "error") output.WriteLine("browser: " + m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) output.WriteLine($"HTTP {r.Status} {r.Url}"); };

        // An app page without a cookie goes to the sign-in page; signing in comes back to it.
        await page.GotoAsync(baseUrl + "/inbox");
        await page.WaitForURLAsync(new Regex("/login"));
        await page.Locator("#userName").FillAsync("clerk");
        await page.Locator("#password").FillAsync(Demo.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/inbox$"));

        var task = page.Locator("tr.ant-table-row", new() { HasText = number });
        await Assertions.Expect(task).ToContainTextAsync("乡镇审核");
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToHaveTextAsync("王经办（大孤家子镇）");
        await page.ScreenshotAsync(new() { Path = Shot("inbox.png"), FullPage = true });

        await task.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/applications/{id}$"));
        await Assertions.Expect(page.Locator("h1[data-interactive=true]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr.ant-table-row", new() { HasText = "张三" })).ToContainTextAsync("符合");
        var li = page.Locator("tr.ant-table-row", new() { HasText = "李四" });
        await Assertions.Expect(li).ToContainTextAsync("不符合");
        await Assertions.Expect(li).ToContainTextAsync("耕地已改变用途");
        // The expanded row lists every rule with its result.
        await li.Locator(".ant-table-row-expand-icon").ClickAsync();
        var rules = page.Locator(".line-details");
        await Assertions.Expect(rules).ToContainTextAsync("LandNotConverted");
        await Assertions.Expect(rules).ToContainTextAsync("未通过");
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        await page.ScreenshotAsync(new() { Path = Shot("case.png"), FullPage = true });

        // AntDesign spaces a two-character Chinese label ("通 过").
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^通\s*过$") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("县级主管部门审核");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^通\s*过$") })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Shot("case-approved.png"), FullPage = true });

        var detail = await clerk.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal("CountyReview", detail.GetProperty("case").GetProperty("step").GetString());
    }

    private string Shot(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        output.WriteLine("screenshot: " + path);
        return path;
    }

    private static class Demo
    {
        public const string Password = Host.Demo.DemoData.Password;
    }
}
