using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// Issue 10 item 1 (更正明细) in the browser: a returned case's clerk corrects a line's facts in the form, confirms, resubmits;
/// the township reviewer who returned it sees the change since the return (line, field, old → new, outcome).
/// </summary>
public sealed class CorrectLinesInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Clerk_CorrectsAReturnedLine_AndResubmits_AndTheReviewerSeesTheChange()
    {
        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await ActAsync("clerk.review", id, "Return", "第2条的耕地用途有误，请核实");
        var page = await OpenCaseAsync("clerk", id);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("退回修改");

        var li = page.Locator("tr.ant-table-row", new() { HasText = "李四" });
        await Assertions.Expect(li).ToContainTextAsync("不符合");
        await li.Locator("[data-testid=correct-line-2] button").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("更正第 2 条明细");
        // The form's fields are the rule set's declared facts, by their labels.
        await Assertions.Expect(modal.Locator("[data-testid=correct-field-AreaMu]")).ToContainTextAsync("承包面积（亩）");
        await Assertions.Expect(modal.Locator("[data-testid=correct-field-AreaMu] input")).ToHaveValueAsync("3");
        await modal.Locator("[data-testid=correct-field-LandConverted] label", new() { HasText = "否" }).ClickAsync();
        await Button(modal, "下一步").ClickAsync();
        // Nothing is saved before the confirmation, which names what will happen.
        await Assertions.Expect(modal.Locator("[data-testid=correct-confirm]")).ToContainTextAsync("是否改变用途 是 → 否");
        await Assertions.Expect(modal.Locator("[data-testid=correct-confirm]")).ToContainTextAsync("arable-land-protection@2");
        Assert.Equal("Ineligible", (await DetailAsync("clerk", id)).GetProperty("lines")[1].GetProperty("outcome").GetString());
        await ShotAsync(page, "correct-line-confirm.png");
        await Button(modal, "确定更正").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);

        await Assertions.Expect(li).Not.ToContainTextAsync("不符合");
        await Assertions.Expect(li).ToContainTextAsync("¥256.05");
        var line = (await DetailAsync("clerk", id)).GetProperty("lines")[1];
        Assert.Equal(("Eligible", 256.05m), (line.GetProperty("outcome").GetString(), line.GetProperty("amount").GetDecimal()));

        // Resubmitting asks first, then the case is back at the township review.
        await Button(page, "重新提交").ClickAsync();
        await Button(modal, "确定重新提交").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");

        var reviewer = await OpenCaseAsync("clerk.review", id);
        await Assertions.Expect(reviewer.Locator("[data-testid=corrections-title]")).ToHaveTextAsync("自退回以来的更正");
        var row = reviewer.Locator(".line-corrections tr.ant-table-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("[data-testid=correction-line]")).ToHaveTextAsync("2");
        await Assertions.Expect(row.Locator("[data-testid=correction-change]")).ToHaveTextAsync("是否改变用途：是 → 否");
        await Assertions.Expect(row.Locator("[data-testid=correction-outcome]")).ToContainTextAsync("不符合");
        await Assertions.Expect(row.Locator("[data-testid=correction-outcome]")).ToContainTextAsync("¥256.05");
        await Assertions.Expect(row).ToContainTextAsync("王经办");
        await ShotAsync(reviewer, "correct-line-reviewer.png");
        // The reviewing clerk may approve what another clerk corrected; the corrector could not (separation of duties, integration tests).
        await Assertions.Expect(Button(reviewer, "通过")).ToHaveCountAsync(1);
    }
}
