using System.Text;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// Issue 10 item 1 (更正明细) by file in the browser: the clerk of a returned case picks a roster file; a file naming a person
/// who is not in the case is refused whole with the located error in the dialog and changes nothing; the corrected file,
/// after its confirmation, re-evaluates the lines it names and leaves the others.
/// </summary>
public sealed class CorrectLinesFromFileInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private const string Header = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途";

    [Fact]
    public async Task Clerk_ReplacesLinesFromAFile_AWrongFileIsRefusedLocated_TheRightOneCorrectsOnlyItsLines()
    {
        var (id, _) = await SubmitAsync(Claims.FiveLines());
        await ActAsync("clerk.review", id, "Return", "第2条的耕地用途有误，请核实");
        var page = await OpenCaseAsync("clerk", id);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("退回修改");
        var li = page.Locator("tr.ant-table-row", new() { HasText = "李四" });
        await Assertions.Expect(li).ToContainTextAsync("不符合");
        var liId = Claims.Id("21012419750505123");

        // A stranger in the file: refused whole, the error names its row and column; nothing changes.
        var stranger = Claims.Id("21012419900909111");
        await PickAsync(page, "更正-错误.csv", $"{Header}\n李四,{liId},210124101,{Claims.Account},邮储银行,3,否\n孙七,{stranger},210124101,{Claims.Account},邮储银行,5,否\n");
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=correct-confirm]")).ToContainTextAsync("更正-错误.csv");
        await Button(modal, "确定更正").ClickAsync();
        var errors = modal.Locator("[data-testid=correct-errors]");
        await Assertions.Expect(errors).ToContainTextAsync("更正被拒绝");
        await Assertions.Expect(errors).ToContainTextAsync("第3行");
        await Assertions.Expect(errors).ToContainTextAsync("身份证号");
        Assert.Equal("Ineligible", (await DetailAsync("clerk", id)).GetProperty("lines")[1].GetProperty("outcome").GetString());
        await ShotAsync(page, "correct-file-refused.png");
        await Button(modal, "取消").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);

        // The corrected file: 李四 no longer converted; the four others are not in it and stay as they were.
        await PickAsync(page, "更正.csv", $"{Header}\n李四,{liId},210124101,{Claims.Account},邮储银行,3,否\n");
        await Button(modal, "确定更正").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(li).Not.ToContainTextAsync("不符合");
        await Assertions.Expect(li).ToContainTextAsync("¥256.05");
        var lines = (await DetailAsync("clerk", id)).GetProperty("lines");
        Assert.Equal(("Eligible", 256.05m), (lines[1].GetProperty("outcome").GetString(), lines[1].GetProperty("amount").GetDecimal()));
        Assert.Equal(1066.88m, lines[0].GetProperty("amount").GetDecimal());
        var row = page.Locator(".line-corrections tr.ant-table-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("[data-testid=correction-change]")).ToHaveTextAsync("是否改变用途：是 → 否");
    }

    /// <summary>Picks <paramref name="csv"/> as the correction file and opens its confirmation.</summary>
    private static async Task PickAsync(IPage page, string name, string csv)
    {
        await page.Locator("[data-testid=correct-file-input]").SetInputFilesAsync(new FilePayload
        {
            Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv),
        });
        await Button(page.Locator("[data-testid=correct-file]"), "按文件更正明细").ClickAsync();
    }
}
