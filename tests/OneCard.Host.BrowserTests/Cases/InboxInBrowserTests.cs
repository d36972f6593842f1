using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The reviewing clerk's inbox in a real Chromium: claim one task, select two, approve them together after a
/// confirmation that shows the count, and read the result per task; both cases reach county review.
/// </summary>
public sealed class InboxInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task SecondClerk_ClaimsAndBulkApprovesTwoTasksInBrowser_AndBothCasesMove()
    {
        var (first, firstNumber) = await SubmitAsync(Claims.Line("张三", "210124198001011230", 12.5m));
        var (second, secondNumber) = await SubmitAsync(Claims.Line("李四", "210124197505051231", 3m));

        var page = await SignInAsync("clerk.review", "/inbox");
        var firstRow = page.Locator("tr.ant-table-row", new() { HasText = firstNumber });
        var secondRow = page.Locator("tr.ant-table-row", new() { HasText = secondNumber });
        await Assertions.Expect(firstRow).ToContainTextAsync("乡镇审核");
        await Assertions.Expect(page.Locator("[data-testid=task-total]")).ToHaveTextAsync("共 2 个任务");

        await Button(firstRow, "认领").ClickAsync();
        await Assertions.Expect(firstRow.Locator("[data-testid=assignee]")).ToHaveTextAsync("我");
        await Assertions.Expect(Button(firstRow, "退回认领")).ToBeVisibleAsync();

        await firstRow.Locator(".ant-checkbox-input").CheckAsync();
        await secondRow.Locator(".ant-checkbox-input").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^批量通过（2）$") }).ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=bulk-confirm]")).ToContainTextAsync("将通过所选 2 个任务");
        await Assertions.Expect(modal.Locator("[data-testid=bulk-consequences]")).ToHaveTextAsync("乡镇审核（2件）：通过后案件将转“县级主管部门审核”。");
        await ShotAsync(page, "inbox-bulk-confirm.png");
        await Button(modal, "确定通过").ClickAsync();
        await Assertions.Expect(modal.Locator("[data-testid=bulk-summary]")).ToHaveTextAsync("成功 2 个，失败 0 个。");
        await Assertions.Expect(modal.Locator("[data-testid=bulk-results]")).ToContainTextAsync(firstNumber + "：已通过");
        await ShotAsync(page, "inbox-bulk-result.png");
        await Button(modal, "完成").ClickAsync();
        await Assertions.Expect(page.Locator("tr.ant-table-row")).ToHaveCountAsync(0);

        foreach (var id in new[] { first, second })
            Assert.Equal("CountyReview", (await DetailAsync("clerk", id)).GetProperty("case").GetProperty("step").GetString());
    }

    [Fact]
    public async Task FilteredInboxUrl_OpenedInANewPage_ShowsTheSameFilterAndRows()
    {
        var numbers = new List<string>();
        foreach (var (name, id) in new[] { ("张三", "210124198001011230"), ("李四", "210124197505051231"), ("王五", "210124196003031232") })
            numbers.Add((await SubmitAsync(Claims.Line(name, Claims.Id(id[..17]), 2m))).Number);

        var page = await SignInAsync("clerk.review", "/inbox");
        await Assertions.Expect(page.Locator("[data-testid=task-total]")).ToHaveTextAsync("共 3 个任务");
        await page.Locator("[data-testid=filter-q] input").FillAsync(numbers[1]);
        // AntDesign's radio buttons hide their input: the label is what a user clicks.
        await page.Locator(".ant-radio-button-wrapper", new() { HasText = "正常" }).ClickAsync();
        await Button(page.Locator("[data-testid=filter-search]"), "查询").ClickAsync();
        // The page changes its URL in place (no reload): wait on the URL itself.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]q=" + Regex.Escape(numbers[1])));
        Assert.Contains("due=normal", page.Url);
        await Assertions.Expect(page.Locator("[data-testid=task-total]")).ToHaveTextAsync("共 1 个任务");
        await Assertions.Expect(page.Locator("tr.ant-table-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tr.ant-table-row")).ToContainTextAsync(numbers[1]);

        // The same address in a new page (a bookmark, a link sent to a colleague): opened without a session, it leads through
        // the login page back to itself — the same filter, the same rows.
        var second = await SignInAsync("clerk.review", new Uri(page.Url).PathAndQuery);
        await WaitUntilInteractiveAsync(second, "待办任务");
        await Assertions.Expect(second.Locator("[data-testid=filter-q] input")).ToHaveValueAsync(numbers[1]);
        await Assertions.Expect(second.Locator(".ant-radio-button-wrapper-checked", new() { HasText = "正常" })).ToHaveCountAsync(1);
        await Assertions.Expect(second.Locator("[data-testid=task-total]")).ToHaveTextAsync("共 1 个任务");
        await Assertions.Expect(second.Locator("tr.ant-table-row")).ToHaveCountAsync(1);
        await Assertions.Expect(second.Locator("tr.ant-table-row")).ToContainTextAsync(numbers[1]);
        await ShotAsync(second, "inbox-filtered-new-page.png");
    }
}
