using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The clerk uploads a roster file on /applications/new: a file with errors is refused as a whole with
/// every error located by row and column; a correct file creates the case and the page leads to it.
/// </summary>
public sealed class RosterUploadInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private const string Header = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途";

    [Fact]
    public async Task Clerk_UploadsRosterWithErrors_SeesLocatedErrorsAndNothingSaved_ThenUploadsGoodRoster()
    {
        var good = Claims.Id("21012419800101123");
        var right = Claims.Id("21012419750505123");
        var wrongCheck = right[..^1] + (right[^1] == '0' ? "1" : "0");
        var page = await SignInAsync("clerk", "/applications/new");
        // The header names the clerk's department beside the role.
        await Assertions.Expect(page.GetByTestId("user-department")).ToHaveTextAsync("农业农村");

        await PickAsync(page, "有错误.csv",
            $"张三,{good},210124101,{Claims.Account},邮储银行法库县支行,12.5,否",
            $"李四,{wrongCheck},210124101,{Claims.Account},邮储银行法库县支行,3,否",
            $"王五,{Claims.Id("21012419660303456")},210124101,{Claims.Account},邮储银行法库县支行,-2,否");
        await Button(page, "提交").ClickAsync();

        var errors = page.Locator(".ant-table");
        await Assertions.Expect(errors.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["行", "字段", "原因"]);
        var rows = errors.Locator("tr.ant-table-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync([Cell("3"), Cell("身份证号"), new Regex("身份证号校验位错误")]);
        await Assertions.Expect(rows.Nth(1).Locator("td")).ToHaveTextAsync([Cell("4"), Cell("承包面积（亩）"), new Regex("承包面积（亩）不能小于0")]);
        await Assertions.Expect(page.Locator(".ant-alert-error")).ToContainTextAsync("未保存任何数据");
        // The totals, the encoding it was read in, and the full report to download (issue 5, finding 6).
        await Assertions.Expect(page.Locator("[data-error-totals]")).ToContainTextAsync("2 行有错误");
        await Assertions.Expect(page.Locator("[data-encoding]")).ToHaveTextAsync("已按 UTF-8 编码读取");
        await Assertions.Expect(page.Locator("a[data-report]")).ToHaveAttributeAsync("href", new Regex("^/api/applications/reports/[0-9a-f-]{36}$"));
        await ShotAsync(page, "roster-errors.png");

        var clerk = await App.SignInAsync("clerk");
        Assert.Equal(0, (await clerk.GetFromJsonAsync<JsonElement>("/api/applications")).GetArrayLength());

        await PickAsync(page, "花名册.csv",
            $"张三,{good},210124101,{Claims.Account},邮储银行法库县支行,12.5,否",
            $"王五,{Claims.Id("21012419660303456")},210124101,{Claims.Account},邮储银行法库县支行,2,是");
        await Button(page, "提交").ClickAsync();

        await page.WaitForURLAsync(new Regex(@"/applications/[0-9a-f-]{36}$"));
        var list = await clerk.GetFromJsonAsync<JsonElement>("/api/applications");
        var created = Assert.Single(list.EnumerateArray());
        Assert.EndsWith("/applications/" + created.GetProperty("id").GetGuid(), page.Url);
        Assert.Equal(2, created.GetProperty("lineCount").GetInt32());
        Assert.Equal(1, created.GetProperty("eligibleCount").GetInt32());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("申报 " + created.GetProperty("number").GetString());
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        await Assertions.Expect(page.Locator("tr.ant-table-row", new() { HasText = "王五" })).ToContainTextAsync("不符合");
        await ShotAsync(page, "roster-created.png");
    }

    private static Regex Cell(string text) => new($@"^\s*{Regex.Escape(text)}\s*$");

    private static Task PickAsync(IPage page, string fileName, params string[] lines) =>
        page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = fileName,
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(string.Join("\r\n", [Header, .. lines]) + "\r\n"),
        });
}
