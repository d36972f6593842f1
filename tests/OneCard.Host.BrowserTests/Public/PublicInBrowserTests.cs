using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.Platform;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Public;

/// <summary>
/// Issue 10 items 2, 6, 7 and 9 in Chromium: a citizen objects on a phone-sized public page and gets a receipt; an unknown route is the
/// Chinese 404 page; nothing scrolls sideways at 390×844; /scalar and a staff page load with every outside request aborted.
/// </summary>
public sealed class PublicInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    /// <summary>OneCardApp's generous per-address limits (RateLimits:Objections:PermitLimit).</summary>
    private const int ObjectionBudgetInTests = 100000;

    private string Url(string path) => new Uri(App.BaseAddress, path).ToString();

    private async Task<Guid> PublicityNoticeAsync()
    {
        await DriveToPublicityAsync(Claims.FiveLines());
        using var anonymous = new HttpClient { BaseAddress = App.BaseAddress };
        return (await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices")).EnumerateArray()
            .Single(n => n.GetProperty("kind").GetString() == "公示").GetProperty("id").GetGuid();
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (widths[0], widths[1]);
        Assert.True(scroll <= client, $"{what} scrolls sideways at 390px: scrollWidth {scroll} > clientWidth {client}");
    }

    [Fact]
    public async Task Citizen_FilesAnObjectionOnAPhone_GetsAReceipt_AndASecondFromTheSameContactIsRefused()
    {
        var noticeId = await PublicityNoticeAsync();
        var phone = await NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await phone.GotoAsync(Url($"/public/{noticeId}"));
        await WaitUntilInteractiveAsync(phone, "公示");
        await Assertions.Expect(phone.Locator("[data-testid=notice-status]")).ToHaveTextAsync("公示中");
        // The public layout: no staff menu.
        await Assertions.Expect(phone.Locator(".ant-layout-sider")).ToHaveCountAsync(0);
        await AssertNoSidewaysScrollAsync(phone, "the public notice page");

        // Line 2 of the five is ineligible (a converted plot), so it is not on the notice: object to line 3.
        await phone.Locator("#objection-line").SelectOptionAsync("3");
        await phone.Locator("#objection-text").FillAsync("此户土地已流转给合作社经营，不应再领取补贴");
        await phone.Locator("#objection-contact").FillAsync("138-1234-5678");
        await Button(phone, "提交异议").ClickAsync();
        var receipt = phone.Locator("[data-testid=receipt-no]");
        await Assertions.Expect(receipt).ToHaveTextAsync(new Regex(@"^YY\d{8}-[2-9A-HJKMNP-Z]{6}$"));
        await Assertions.Expect(phone.Locator("[data-testid=objection-form]")).ToContainTextAsync("第3条明细");
        await AssertNoSidewaysScrollAsync(phone, "the receipt");
        await ShotAsync(phone, "public-objection-receipt-390.png");
        var number = (await receipt.TextContentAsync())!;

        // The staff see it, with the contact masked.
        var caseId = await CaseOfNoticeAsync(noticeId);
        var detail = await DetailAsync("reviewer", caseId);
        var objection = Assert.Single(detail.GetProperty("objections").EnumerateArray());
        Assert.DoesNotContain("12345678", objection.GetRawText(), StringComparison.Ordinal);

        // The same person on the same line again: refused in Chinese, naming the line; nothing new stored.
        await phone.GetByRole(AriaRole.Button, new() { Name = "再提一条异议" }).ClickAsync();
        await phone.Locator("#objection-line").SelectOptionAsync("3");
        await phone.Locator("#objection-text").FillAsync("再次反映：此户土地已流转");
        await phone.Locator("#objection-contact").FillAsync("13812345678");
        await Button(phone, "提交异议").ClickAsync();
        await Assertions.Expect(phone.Locator("[data-testid=objection-error]")).ToContainTextAsync("您对第3条明细提出的异议正在处理中，请勿重复提交");
        Assert.Single((await DetailAsync("reviewer", caseId)).GetProperty("objections").EnumerateArray());
        // Both submissions drew on the per-address objection budget of the address the page was opened from, as the API's do.
        var left = App.Services.GetRequiredService<ObjectionLimiter>().Statistics(IPAddress.Loopback)?.CurrentAvailablePermits;
        Assert.Equal(ObjectionBudgetInTests - 2, left);
        Output.WriteLine("receipt " + number);
    }

    private async Task<Guid> CaseOfNoticeAsync(Guid noticeId)
    {
        var reviewer = await App.SignInAsync("reviewer");
        var cases = await reviewer.GetFromJsonAsync<JsonElement>("/api/applications");
        var list = cases.ValueKind == JsonValueKind.Array ? cases : cases.GetProperty("items");
        return list.EnumerateArray().Single(c => c.GetProperty("step").GetString() == "Publicity").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task UnknownRoute_ShowsTheChinese404Page_WithAWayHome()
    {
        var page = await NewPageAsync();
        var response = await page.GotoAsync(Url("/no-such-page/at-all"));
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid=error-page]")).ToContainTextAsync("404 页面不存在");
        await Assertions.Expect(page.Locator("[data-testid=error-home]")).ToHaveTextAsync("返回首页");
        await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("Status Code");
        await ShotAsync(page, "error-404.png");
    }

    [Fact]
    public async Task NoPageScrollsSideways_At390x844_PublicNoticeLoginInboxAndCase()
    {
        var noticeId = await PublicityNoticeAsync();
        var caseId = await CaseOfNoticeAsync(noticeId);

        var page = await NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(Url($"/public/{noticeId}"));
        await WaitUntilInteractiveAsync(page, "公示");
        await AssertNoSidewaysScrollAsync(page, "the public notice page");

        var staff = await NewPageAsync();
        await staff.SetViewportSizeAsync(390, 844);
        await staff.GotoAsync(Url("/inbox"));
        await staff.WaitForURLAsync(new Regex("/login"));
        await Assertions.Expect(staff.Locator("#userName")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(staff, "the login page");
        await staff.Locator("#userName").FillAsync("reviewer");
        await staff.Locator("#password").FillAsync(Host.Demo.DemoData.Password);
        await staff.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await staff.WaitForURLAsync(new Regex("/inbox$"));
        await WaitUntilInteractiveAsync(staff, "待办");
        // The side menu is out of the way until the header's button opens it.
        await Assertions.Expect(staff.Locator("[data-testid=menu-toggle]")).ToBeVisibleAsync();
        await Assertions.Expect(staff.Locator(".onecard-sider .ant-menu")).Not.ToBeInViewportAsync();
        await AssertNoSidewaysScrollAsync(staff, "the inbox");
        await ShotAsync(staff, "inbox-390.png");
        await staff.Locator("[data-testid=menu-toggle]").ClickAsync();
        await Assertions.Expect(staff.Locator(".onecard-sider .ant-menu")).ToBeInViewportAsync();
        await AssertNoSidewaysScrollAsync(staff, "the inbox with its menu open");

        await staff.GotoAsync(Url($"/applications/{caseId}"));
        await WaitUntilInteractiveAsync(staff);
        await AssertNoSidewaysScrollAsync(staff, "the case page");
        await ShotAsync(staff, "case-390.png");
    }

    [Fact]
    public async Task ScalarAndAStaffPage_LoadWithEveryOutsideRequestAborted_AndNoneFails()
    {
        var page = await NewPageAsync();
        var host = App.BaseAddress.Authority;
        var outside = new List<string>();
        var failed = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Authority == host) await route.ContinueAsync();
            else
            {
                lock (outside) outside.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        page.RequestFailed += (_, r) => { lock (failed) failed.Add($"{r.Failure} {r.Url}"); };
        page.Response += (_, r) => { if (r.Status >= 400) lock (failed) failed.Add($"HTTP {r.Status} {r.Url}"); };

        await page.GotoAsync(Url("/scalar"));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // Scalar opens with the first tag group (Auth) expanded: its operations are in the page once the bundle has rendered.
        await Assertions.Expect(page.GetByText("/api/auth/sign-in").First).ToBeAttachedAsync();
        await ShotAsync(page, "scalar-offline.png");

        await page.GotoAsync(Url("/inbox"));
        await page.WaitForURLAsync(new Regex("/login"));
        await page.Locator("#userName").FillAsync("clerk");
        await page.Locator("#password").FillAsync(Host.Demo.DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/inbox$"));
        await WaitUntilInteractiveAsync(page, "待办");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.True(outside.Count == 0, "requests leaving the host: " + string.Join(" | ", outside));
        Assert.True(failed.Count == 0, "failed requests: " + string.Join(" | ", failed));
    }
}
