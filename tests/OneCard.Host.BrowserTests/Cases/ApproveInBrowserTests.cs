using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The reviewing clerk's path through the web UI in a real Chromium against the real host on Kestrel:
/// sign in, find the task, read the rule results, approve, and see the case reach county review.
/// The township's second clerk reviews: the submitting clerk may not (separation of duties).
/// </summary>
public sealed class ApproveInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task SecondClerk_ApprovesCaseInBrowser_AndCaseMovesToCountyReview()
    {
        var (id, number) = await SubmitAsync(Claims.Line("张三", "210124198001011230", 12.5m), Claims.Line("李四", "210124197505051231", 3m, converted: true));

        // An app page without a cookie goes to the sign-in page; signing in comes back to it.
        Assert.Equal(0, (await DetailAsync("clerk", id)).GetProperty("permittedActions").GetArrayLength());
        var page = await SignInAsync("clerk.review", "/inbox");

        var task = page.Locator("tr.ant-table-row", new() { HasText = number });
        await Assertions.Expect(task).ToContainTextAsync("乡镇审核");
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToHaveTextAsync("钱审核（大孤家子镇）");
        await ShotAsync(page, "inbox.png");

        await task.GetByRole(AriaRole.Link, new() { Name = number }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/applications/{id}$"));
        await WaitUntilInteractiveAsync(page, "申报 " + number);
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
        await ShotAsync(page, "case.png");

        await Button(page, "通过").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("县级主管部门审核");
        await Assertions.Expect(Button(page, "通过")).ToHaveCountAsync(0);
        await ShotAsync(page, "case-approved.png");

        var detail = await DetailAsync("clerk", id);
        Assert.Equal("CountyReview", detail.GetProperty("case").GetProperty("step").GetString());
    }
}
