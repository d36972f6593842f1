using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// A line's expanded rule results stay open while the reviewer works the page: ticking another line re-renders the page
/// (the count on 驳回所选明细) and sets the table's data again, and the open line stays open; data that did change (a
/// rejected line) reaches the table.
/// </summary>
public sealed class LineDetailsInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task ExpandedLine_StaysOpen_WhenTheReviewerSelectsAnotherLine()
    {
        var (id, number) = await SubmitAsync(Claims.Line("张三", "210124198001011230", 12.5m), Claims.Line("李四", "210124197505051231", 3m, converted: true));
        var page = await OpenCaseAsync("clerk.review", id);
        await WaitUntilInteractiveAsync(page, "申报 " + number);

        var li = page.Locator("tr.ant-table-row", new() { HasText = "李四" });
        await Assertions.Expect(li).ToContainTextAsync("耕地已改变用途");
        await li.Locator(".ant-table-row-expand-icon").ClickAsync();
        var rules = page.Locator(".line-details");
        await Assertions.Expect(rules).ToContainTextAsync("不符合：耕地已改变用途");

        // Ticking 张三 re-renders the page (the count on 驳回所选明细); 李四's results stay open.
        var zhang = page.Locator("tr.ant-table-row", new() { HasText = "张三" });
        await zhang.Locator(".ant-checkbox-input").CheckAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "驳回所选明细" })).ToContainTextAsync("（1）");
        await Assertions.Expect(rules).ToHaveCountAsync(1);
        await Assertions.Expect(rules).ToContainTextAsync("不符合：耕地已改变用途");
        await Assertions.Expect(li.Locator(".ant-table-row-expand-icon-expanded")).ToHaveCountAsync(1);

        // Data that changed does reach the table: rejecting the ticked line shows its new outcome.
        await page.GetByRole(AriaRole.Button, new() { Name = "驳回所选明细" }).ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await modal.Locator("textarea").FillAsync("承包面积与确权数据不符");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(zhang).ToContainTextAsync("已驳回");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "驳回所选明细" })).ToBeDisabledAsync();
    }
}
