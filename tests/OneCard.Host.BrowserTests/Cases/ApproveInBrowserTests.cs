using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The reviewing clerk's path through the web UI in a real Chromium against the real host on Kestrel:
/// sign in, find the task, read the rule results in Chinese, see the step bar, approve after a confirmation that names the
/// next step (cancelling it does nothing), and see the case reach county review.
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
        // Each rule in the rule set's words, never its internal name.
        await Assertions.Expect(rules).ToContainTextAsync("不符合：耕地已改变用途");
        await Assertions.Expect(rules).ToContainTextAsync("符合：无“身份证号无效”情形");
        await Assertions.Expect(rules).Not.ToContainTextAsync("LandNotConverted");
        await Assertions.Expect(rules).Not.ToContainTextAsync("未通过时");
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        // The step bar: the definition's main path, the current step with its last day.
        var bar = page.Locator("[data-testid=case-step-bar]");
        await Assertions.Expect(bar.Locator(".ant-steps-item")).ToHaveCountAsync(7);
        await Assertions.Expect(bar.Locator(".ant-steps-item-process .ant-steps-item-title")).ToHaveTextAsync("乡镇审核");
        await Assertions.Expect(bar.Locator(".ant-steps-item-process")).ToContainTextAsync("内办结");
        await Assertions.Expect(bar.Locator(".ant-steps-item").Last).ToContainTextAsync("已公开");
        await Assertions.Expect(page.Locator("[data-testid=breadcrumbs]")).ToContainTextAsync("申报列表");
        await ShotAsync(page, "case.png");

        // 通过 asks first and names what will happen; cancelling leaves the case where it is.
        await Button(page, "通过").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=confirm-consequence]")).ToHaveTextAsync("通过后案件将转“县级主管部门审核”。");
        await ShotAsync(page, "case-approve-confirm.png");
        await Button(modal, "取消").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        Assert.Equal("TownshipReview", (await DetailAsync("clerk", id)).GetProperty("case").GetProperty("step").GetString());

        await Button(page, "通过").ClickAsync();
        await Button(modal, "确定通过").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("县级主管部门审核");
        await Assertions.Expect(bar.Locator(".ant-steps-item-process .ant-steps-item-title")).ToHaveTextAsync("县级主管部门审核");
        // The history names the person, not their user id.
        await Assertions.Expect(page.Locator("[data-testid=history-actor]").Last).ToHaveTextAsync("钱审核（大孤家子镇）");
        await Assertions.Expect(Button(page, "通过")).ToHaveCountAsync(0);
        await ShotAsync(page, "case-approved.png");

        var detail = await DetailAsync("clerk", id);
        Assert.Equal("CountyReview", detail.GetProperty("case").GetProperty("step").GetString());
    }
}
