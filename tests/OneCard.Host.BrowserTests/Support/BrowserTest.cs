using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Support;

/// <summary>
/// A real host on Kestrel over a fresh PostgreSQL and a headless Chromium, per test: sign in through the
/// login page, take screenshots, and reach the API as a demo user to set up and check case state.
/// </summary>
public abstract class BrowserTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// How long any wait may take (ms). Waits are on the page's own signals (a URL, <c>data-interactive</c>, a text),
    /// so a generous bound costs nothing when things go well and holds on a loaded 2-core CI machine.
    /// </summary>
    public const float Patience = 60_000;

    protected OneCardApp App { get; private set; } = null!;
    protected ITestOutputHelper Output { get; } = output;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private string baseUrl = "";
    private readonly List<IBrowserContext> traced = [];

    /// <summary>
    /// Where each page's Playwright trace is saved (<c>ONECARD_BROWSER_TRACES</c>; test.sh sets it beside the results): the
    /// actions, the DOM before and after each, the console and the network, to replay a failure seen once
    /// (<c>npx playwright show-trace</c> or trace.playwright.dev). Unset, nothing is traced.
    /// </summary>
    private static readonly string? TraceDirectory = Environment.GetEnvironmentVariable("ONECARD_BROWSER_TRACES") is { Length: > 0 } dir ? dir : null;

    public async Task InitializeAsync()
    {
        // Playwright's 5 s default for Expect is what failed under load (issue 5, finding 10).
        Assertions.SetDefaultExpectTimeout(Patience);
        // The host's log goes into the test's output, which xUnit prints when the test fails.
        App = await OneCardApp.StartAsync(useKestrel: true, log: line =>
        {
            try { Output.WriteLine("host: " + line); }
            catch (InvalidOperationException) { } // logged after the test ended: no output to write to
        });
        baseUrl = App.BaseAddress.ToString().TrimEnd('/');
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
        foreach (var (context, i) in traced.Select((c, i) => (c, i)))
        {
            var path = Path.Combine(TraceDirectory!, $"{GetType().Name}-{i + 1}-{Guid.NewGuid():N}.zip");
            // A trace that cannot be saved (the browser gone) must not keep the host and the browser from being disposed.
            try
            {
                await context.Tracing.StopAsync(new() { Path = path });
                Output.WriteLine("trace: " + path);
            }
            catch (PlaywrightException e)
            {
                Output.WriteLine($"trace not saved ({path}): {e.Message}");
            }
        }
        await browser.DisposeAsync();
        playwright.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>A new page (own cookies) that logs browser errors and failed responses to the test output.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        if (TraceDirectory is not null)
        {
            Directory.CreateDirectory(TraceDirectory);
            // DOM snapshots, no screencast: the viewer renders each snapshot, and a 2-core CI machine running every test beside this one
            // should not also encode video frames.
            await context.Tracing.StartAsync(new() { Title = GetType().Name, Snapshots = true, Screenshots = false });
            traced.Add(context);
        }
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        page.SetDefaultNavigationTimeout(Patience);
        page.Console += (_, m) => { if (m.Type == "error") Output.WriteLine("browser: " + m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) Output.WriteLine($"HTTP {r.Status} {r.Url}"); };
        return page;
    }

    /// <summary>
    /// Waits until the page's circuit is live and will handle clicks and input: every interactive page the tests use
    /// sets <c>data-interactive="true"</c> on its heading in <c>OnAfterRender(firstRender)</c>.
    /// </summary>
    /// <param name="heading">Part of the awaited page's heading, when the previous page (also interactive) may still be shown.</param>
    protected static Task WaitUntilInteractiveAsync(IPage page, string? heading = null) =>
        Assertions.Expect(page.Locator("h1[data-interactive=true]", new() { HasText = heading })).ToBeVisibleAsync();

    /// <summary>Opens <paramref name="path"/> without a cookie, signs in on the login page it leads to, lands back on it and waits until it is interactive.</summary>
    protected async Task<IPage> SignInAsync(string userName, string path)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(baseUrl + path);
        await page.WaitForURLAsync(new Regex("/login"));
        await page.Locator("#userName").FillAsync(userName);
        await page.Locator("#password").FillAsync(Host.Demo.DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(Regex.Escape(path) + "$"));
        await WaitUntilInteractiveAsync(page);
        return page;
    }

    /// <summary>Opens a case page as <paramref name="userName"/> and waits until its circuit handles clicks.</summary>
    protected Task<IPage> OpenCaseAsync(string userName, Guid id) => SignInAsync(userName, $"/applications/{id}");

    /// <summary>Submits the claim lines as the clerk through the API; the case starts at township review, which clerk.review takes.</summary>
    protected async Task<(Guid Id, string Number)> SubmitAsync(params object[] lines)
    {
        var clerk = await App.SignInAsync("clerk");
        var submitted = await clerk.PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var created = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("number").GetString()!);
    }

    /// <summary>Submits the claim lines and drives the case through the API into publicity: both reviews, every line sampled as matching.</summary>
    protected async Task<Guid> DriveToPublicityAsync(params object[] lines)
    {
        var (id, _) = await SubmitAsync(lines);
        await ActAsync("clerk.review", id, "Approve");
        await ActAsync("reviewer", id, "Approve");
        var inspector = await App.SignInAsync("inspector");
        foreach (var line in (await DetailAsync("inspector", id)).GetProperty("lines").EnumerateArray())
            (await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" }))
                .EnsureSuccessStatusCode();
        await ActAsync("inspector", id, "Complete");
        return id;
    }

    /// <summary>
    /// <see cref="DriveToPublicityAsync"/>, then the publicity period runs out (its timer) and finance approves: the case is at
    /// Payment with its batches made, still to be allocated and released.
    /// </summary>
    protected async Task<Guid> DriveToPaymentAsync(params object[] lines)
    {
        var id = await DriveToPublicityAsync(lines);
        App.Clock.Advance(TimeSpan.FromDays(8));
        await App.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);
        await ActAsync("finance", id, "Approve");
        return id;
    }

    /// <summary>Fires a workflow action through the API as <paramref name="userName"/>.</summary>
    protected async Task ActAsync(string userName, Guid id, string action, string? comment = null)
    {
        var client = await App.SignInAsync(userName);
        var response = await client.PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment });
        Assert.True(response.IsSuccessStatusCode, $"{userName} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The case as the API shows it to <paramref name="userName"/>.</summary>
    /// <summary>Records a cross-check hit on a line as a run would (the reviewer then decides it on the case page).</summary>
    protected Task AddCrossCheckHitAsync(Guid applicationId, int lineNo, OneCard.Domain.Registry.CrossCheckKind check, string reasonZh, string? reasonEn = null) =>
        App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCard.Persistence.OneCardDbContext>();
            var line = await db.ClaimLines.SingleAsync(l => l.ApplicationId == applicationId && l.LineNo == lineNo);
            db.CrossCheckHits.Add(new OneCard.Domain.Registry.CrossCheckHit
            {
                Id = Guid.CreateVersion7(), ApplicationId = applicationId, ClaimLineId = line.Id, LineNo = lineNo, RegionCode = line.RegionCode,
                PolicyCode = line.PolicyCode, Period = line.Period, Check = check, ReasonZh = reasonZh, ReasonEn = reasonEn ?? reasonZh,
                RunId = Guid.CreateVersion7(), FoundAt = App.Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });

    protected async Task<JsonElement> DetailAsync(string userName, Guid id) =>
        await (await App.SignInAsync(userName)).GetFromJsonAsync<JsonElement>($"/api/applications/{id}");

    /// <summary>A button by its label; AntDesign spaces a two-character Chinese label ("通 过").</summary>
    protected static ILocator Button(IPage page, string label) => page.GetByRole(AriaRole.Button, new() { NameRegex = Label(label) });

    protected static ILocator Button(ILocator scope, string label) => scope.GetByRole(AriaRole.Button, new() { NameRegex = Label(label) });

    private static Regex Label(string label) => new("^" + string.Join(@"\s*", label.Select(c => Regex.Escape(c.ToString()))) + "$");

    protected async Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        Output.WriteLine("screenshot: " + path);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }
}
