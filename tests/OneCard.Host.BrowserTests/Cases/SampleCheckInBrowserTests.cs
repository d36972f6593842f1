using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The inspector in the browser: records 合格 for every sampled line, then completes the sample check
/// and the case goes to publicity.
/// </summary>
public sealed class SampleCheckInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Inspector_RecordsPassForEachSampledLine_ThenCompletes_ToPublicity()
    {
        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await ActAsync("clerk.review", id, "Approve");
        await ActAsync("reviewer", id, "Approve");
        var sampled = (await DetailAsync("inspector", id)).GetProperty("lines").EnumerateArray()
            .Where(l => l.GetProperty("sampled").GetBoolean()).Select(l => l.GetProperty("name").GetString()!).ToList();
        Assert.NotEmpty(sampled);

        var page = await OpenCaseAsync("inspector", id);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("现场抽查");
        await Assertions.Expect(page.Locator("table tr.ant-table-row")).ToHaveCountAsync(sampled.Count);
        // The API shows a third-party inspector none of the case history; the page has no empty section for it.
        Assert.Equal(0, (await DetailAsync("inspector", id)).GetProperty("history").GetArrayLength());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "办理记录" })).ToHaveCountAsync(0);

        var modal = page.Locator(".ant-modal-content");
        foreach (var name in sampled)
        {
            var row = page.Locator("tr.ant-table-row", new() { HasText = name });
            await Assertions.Expect(row).ToContainTextAsync("待核查");
            await Button(row, "登记结果").ClickAsync();
            await Assertions.Expect(modal).ToContainTextAsync($"（{name}）现场核查结果");
            await modal.GetByRole(AriaRole.Radio, new() { Name = "合格", Exact = true }).CheckAsync();
            await modal.Locator("textarea").FillAsync("现场核实面积无误");
            await ShotAsync(page, "sample-record.png");
            await Button(modal, "确定").ClickAsync();
            await Assertions.Expect(modal).ToHaveCountAsync(0);
            await Assertions.Expect(row).ToContainTextAsync("合格");
            await Assertions.Expect(row).Not.ToContainTextAsync("待核查");
            await Assertions.Expect(Button(row, "登记结果")).ToHaveCountAsync(0);
        }

        var checkedLines = (await DetailAsync("inspector", id)).GetProperty("lines").EnumerateArray().ToList();
        Assert.All(checkedLines, l => Assert.Equal("Passed", l.GetProperty("sampleResult").GetString()));

        await Button(page, "办结").ClickAsync();
        await Assertions.Expect(page.Locator(".ant-modal-content [data-testid=confirm-consequence]")).ToHaveTextAsync("办结后案件将转“公示”。");
        await Button(page.Locator(".ant-modal-content"), "确定办结").ClickAsync();
        // The check has ended: the case leaves the third party's view at once (issue 5, finding 9).
        await Assertions.Expect(page.Locator("[data-testid=case-left-scope]")).ToContainTextAsync("现场抽查已结束");
        await Assertions.Expect(Button(page, "办结")).ToHaveCountAsync(0);
        await ShotAsync(page, "sample-completed.png");

        var detail = await DetailAsync("reviewer", id);
        Assert.Equal("Publicity", detail.GetProperty("case").GetProperty("step").GetString());
        Assert.Equal(4, detail.GetProperty("case").GetProperty("eligibleCount").GetInt32());
    }
}
