using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// The upload page is generic: a 民政 clerk picks a policy of their department, sees the columns its rule set in force
/// expects (labels, types, bounds), downloads the template from the page, fills it and uploads it, and lands on the new case.
/// </summary>
public sealed class RosterPolicyPickInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task CivilClerk_PicksElderlyAllowance_SeesItsColumns_UploadsTheFilledTemplate_AndLandsOnTheCase()
    {
        var page = await SignInAsync("clerk.civil", "/applications/new");
        var picker = page.Locator("select[data-policy]");
        // Only the 民政 policies are offered; no 农业农村 one.
        await Assertions.Expect(picker.Locator("option", new() { HasText = "高龄津贴" })).ToHaveCountAsync(1);
        await Assertions.Expect(picker.Locator("option", new() { HasText = "耕地地力保护补贴" })).ToHaveCountAsync(0);
        await picker.SelectOptionAsync("elderly-longevity-allowance");

        var columns = page.Locator("[data-columns-of=elderly-longevity-allowance] table[data-columns]");
        await Assertions.Expect(columns.Locator("tr[data-column='是否低保对象'] td")).ToHaveTextAsync(["是否低保对象", "是/否", "填“是”或“否”", "是"]);
        await Assertions.Expect(columns.Locator("tr[data-column='承包面积（亩）']")).ToHaveCountAsync(0);
        await ShotAsync(page, "roster-policy-columns.png");

        // The page's own link, fetched with the page's cookie.
        var href = await page.Locator("a[data-template=csv]").GetAttributeAsync("href");
        Assert.Equal("api/rulesets/elderly-longevity-allowance/template.csv", href);
        // Relative to the document base ("/"), as the browser resolves it.
        var template = await page.APIRequest.GetAsync(new Uri(new Uri(page.Url), "/" + href).ToString());
        Assert.Equal(200, template.Status);
        var header = Encoding.UTF8.GetString(await template.BodyAsync()).TrimStart('\uFEFF').Split("\r\n")[0];
        Assert.Equal("姓名,身份证号,地区代码,银行账号,开户银行,账户类型,是否低保对象", header);

        // Two people: a 92-year-old (second tier, 低保 or not) and an 85-year-old outside 低保 (ineligible).
        var rows = string.Join("\r\n",
            header,
            $"赵九十,{Claims.Id("21012419340505123")},210124101,{Claims.Account},邮储银行法库县支行,社保卡,否",
            $"钱八五,{Claims.Id("21012419410303123")},210124101,{Claims.Account},邮储银行法库县支行,,否") + "\r\n";
        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "高龄津贴.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(rows) });
        await Button(page, "提交").ClickAsync();
        // Issue 9: the upload is confirmed, then processed in the background (the test runs the job) and its page links the case.
        await Button(page, "确认提交").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/roster-imports/[0-9a-f-]{36}$"));
        await WaitUntilInteractiveAsync(page, "花名册导入");
        await App.Services.GetRequiredService<OneCard.Host.Applications.RosterImportJob>().RunAsync(Guid.Parse(page.Url[^36..]), CancellationToken.None);
        await page.Locator("[data-import-done=true] a[data-case]").ClickAsync();

        await page.WaitForURLAsync(new Regex(@"/applications/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
        await Assertions.Expect(page.Locator("tr.ant-table-row", new() { HasText = "钱八五" })).ToContainTextAsync("不符合");
        await ShotAsync(page, "roster-policy-created.png");
    }
}
