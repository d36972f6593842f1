using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The county reviewer in the browser: rejects one selected line with a reason, then returns the case to
/// the township with a comment; the page and the API agree on the line's outcome, the step and the history.
/// </summary>
public sealed class ReviewInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Reviewer_RejectsSelectedLine_ThenReturnsCase_ToTownshipReview()
    {
        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await ActAsync("clerk.review", id, "Approve");
        var page = await OpenCaseAsync("reviewer", id);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("县级主管部门审核");

        var wang = page.Locator("tr.ant-table-row", new() { HasText = "王五" });
        await Assertions.Expect(wang).ToContainTextAsync("符合");
        var rejectSelected = page.GetByRole(AriaRole.Button, new() { Name = "驳回所选明细" });
        await Assertions.Expect(rejectSelected).ToBeDisabledAsync();
        await wang.Locator(".ant-checkbox-input").CheckAsync();
        await Assertions.Expect(rejectSelected).ToContainTextAsync("（1）");
        await rejectSelected.ClickAsync();

        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("驳回第 3 条明细");
        await modal.Locator("textarea").FillAsync("承包面积与确权数据不符");
        await ShotAsync(page, "review-reject-lines.png");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);

        await Assertions.Expect(wang).ToContainTextAsync("已驳回");
        await Assertions.Expect(wang).ToContainTextAsync("承包面积与确权数据不符");
        await Assertions.Expect(page.Locator("tr.ant-table-row", new() { HasText = "张三" })).Not.ToContainTextAsync("已驳回");
        var lines = (await DetailAsync("reviewer", id)).GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(["Eligible", "Ineligible", "Rejected", "Eligible", "Eligible"], lines.Select(l => l.GetProperty("outcome").GetString()));

        await Button(page, "退回").ClickAsync();
        // The definition requires a comment for a return: the confirmation names the step and refuses a blank comment.
        await Assertions.Expect(modal.Locator("[data-testid=confirm-consequence]")).ToHaveTextAsync("退回后案件将转“乡镇审核”。");
        await Button(modal, "确定退回").ClickAsync();
        await Assertions.Expect(modal.Locator("[data-testid=confirm-comment-missing]")).ToHaveTextAsync("退回须填写意见");
        await modal.Locator("textarea").FillAsync("请核实第3条的承包面积后重新上报");
        await Button(modal, "确定退回").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        await Assertions.Expect(Button(page, "退回")).ToHaveCountAsync(0);
        var history = page.Locator(".ant-timeline");
        await Assertions.Expect(history.Locator(".ant-timeline-item").Last).ToContainTextAsync("退回：县级主管部门审核 → 乡镇审核");
        await Assertions.Expect(history).ToContainTextAsync("意见：请核实第3条的承包面积后重新上报");
        await ShotAsync(page, "review-returned.png");

        var detail = await DetailAsync("clerk", id);
        Assert.Equal("TownshipReview", detail.GetProperty("case").GetProperty("step").GetString());
        var last = detail.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("Return", last.GetProperty("action").GetString());
        Assert.Equal("请核实第3条的承包面积后重新上报", last.GetProperty("comment").GetString());
        Assert.Equal("Rejected", detail.GetProperty("lines")[2].GetProperty("outcome").GetString());
        Assert.Equal(3, detail.GetProperty("case").GetProperty("eligibleCount").GetInt32());
    }
}
