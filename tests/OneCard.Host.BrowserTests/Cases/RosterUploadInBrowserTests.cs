using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The clerk uploads a roster file on /applications/new: a file with errors is refused as a whole with
/// every error located by row and column; a correct file creates the case and the page leads to it. Since issue 9 the
/// upload is processed in the background: the page leads to the import's progress page, and the test runs the job.
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
        await SubmitAndRunImportAsync(page);

        await Assertions.Expect(page.Locator("[data-import-status]")).ToHaveAttributeAsync("data-import-status", "Refused");
        var errors = page.Locator(".ant-table");
        await Assertions.Expect(errors.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["行", "原因"]);
        var rows = errors.Locator("tr.ant-table-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync([Cell("3"), new Regex("【身份证号】身份证号校验位错误")]);
        await Assertions.Expect(rows.Nth(1).Locator("td")).ToHaveTextAsync([Cell("4"), new Regex("【承包面积（亩）】承包面积（亩）不能小于0")]);
        await Assertions.Expect(page.Locator(".ant-alert-error")).ToContainTextAsync("未保存任何申报数据");
        // The totals, and the full report and the refused rows to download (issue 5, finding 6; issue 9).
        await Assertions.Expect(page.Locator("[data-refused-count]")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("a[data-report]")).ToHaveAttributeAsync("href", new Regex("^api/applications/reports/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("a[data-refused-download]")).ToHaveAttributeAsync("href", new Regex("^api/roster-imports/[0-9a-f-]{36}/refused.xlsx$"));
        await ShotAsync(page, "roster-errors.png");

        var clerk = await App.SignInAsync("clerk");
        Assert.Equal(0, (await clerk.GetFromJsonAsync<JsonElement>("/api/applications")).GetArrayLength());

        await page.GotoAsync(page.Url[..page.Url.IndexOf("/roster-imports/", StringComparison.Ordinal)] + "/applications/new");
        await WaitUntilInteractiveAsync(page, "上传花名册");
        await PickAsync(page, "花名册.csv",
            $"张三,{good},210124101,{Claims.Account},邮储银行法库县支行,12.5,否",
            $"王五,{Claims.Id("21012419660303456")},210124101,{Claims.Account},邮储银行法库县支行,2,是");
        await SubmitAndRunImportAsync(page);
        await Assertions.Expect(page.Locator("[data-import-status]")).ToHaveAttributeAsync("data-import-status", "Succeeded");
        await page.Locator("a[data-case]").ClickAsync();

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

    /// <summary>Submits (整体退回, the default) and confirms, lands on the progress page, runs the import job and waits until it is done.</summary>
    private async Task SubmitAndRunImportAsync(IPage page)
    {
        await Button(page, "提交").ClickAsync();
        await Button(page, "确认提交").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/roster-imports/[0-9a-f-]{36}$"));
        await WaitUntilInteractiveAsync(page, "花名册导入");
        await App.Services.GetRequiredService<OneCard.Host.Applications.RosterImportJob>().RunAsync(Guid.Parse(page.Url[^36..]), CancellationToken.None);
        await Assertions.Expect(page.Locator("[data-import-done=true]")).ToBeVisibleAsync();
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
