using Microsoft.Playwright;
using OneCard.Domain.Registry;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Registry;

/// <summary>Issue 9, item 3: the township reviewer works the case's cross-check hits on the application page — rejects one line,
/// keeps another only once a comment is written, runs the checks again — and then the case may be approved.</summary>
public sealed class CrossCheckHitsInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task TownshipReviewer_RejectsOneLine_KeepsAnotherWithAComment_ThenApproves()
    {
        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await AddCrossCheckHitAsync(id, 1, CrossCheckKind.Deceased, "死亡火化数据（辽宁省民政厅，截至2026-02-28）第17行：2026-01-02 死亡，早于期次结束");
        await AddCrossCheckHitAsync(id, 3, CrossCheckKind.StateFunded, "财政供养人员数据（沈阳市财政局，截至2026-02-28）第5行：法库县某事业单位，2019-07-01 起在编，与期次重叠");

        var page = await OpenCaseAsync("clerk.review", id);
        var panel = page.Locator("[data-testid=crosscheck-hits]");
        await Assertions.Expect(panel.Locator("[data-testid=crosscheck-pending]")).ToHaveTextAsync("待决定 2 条");
        await Assertions.Expect(panel.Locator("tr.ant-table-row")).ToHaveCountAsync(2);

        await panel.Locator("[data-testid=hit-reject][data-line='1'] button").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=hit-confirm]")).ToContainTextAsync("第 1 行（张三）· 死亡");
        await Button(modal, "确定驳回").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(panel.Locator("[data-testid=hit-decision][data-line='1']")).ToHaveTextAsync("已驳回该行");

        await panel.Locator("[data-testid=hit-keep][data-line='3'] button").ClickAsync();
        await Button(modal, "确定保留").ClickAsync();
        await Assertions.Expect(modal).ToContainTextAsync("保留该行须填写意见");
        await modal.Locator("textarea").FillAsync("已核实：系退休人员，不属在编");
        await ShotAsync(page, "crosscheck-keep.png");
        await Button(modal, "确定保留").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(panel.Locator("[data-testid=hit-decision][data-line='3']")).ToHaveTextAsync("已保留");
        await Assertions.Expect(panel.Locator("[data-testid=crosscheck-pending]")).ToHaveCountAsync(0);

        await panel.Locator("[data-testid=crosscheck-rerun] button").ClickAsync();
        await Assertions.Expect(panel.Locator("[data-testid=crosscheck-last-run]")).ToContainTextAsync("重新比对");

        await ActAsync("clerk.review", id, "Approve");
        var detail = await DetailAsync("clerk.review", id);
        Assert.Equal("CountyReview", detail.GetProperty("case").GetProperty("step").GetString());
        Assert.Equal("Rejected", detail.GetProperty("lines")[0].GetProperty("outcome").GetString());
    }
}
