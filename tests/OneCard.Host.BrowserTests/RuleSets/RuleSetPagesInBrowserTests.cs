using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.RuleSets;

/// <summary>
/// Issue 7, item 3, the pages: 规则集 lists every policy's versions with status tags and effective dates; a version page
/// shows the JSON, status and history, and offers exactly the actions the approval definition permits, each confirmed.
/// </summary>
public sealed class RuleSetPagesInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Officer_SubmitsADraftOnItsPage_AndASecondOfficerApprovesIt()
    {
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v2.json")))!.AsObject();
        v3["version"] = 3;
        v3["tables"]!["rates.byCounty"]!["210124"] = 100m;
        var drafted = await (await App.SignInAsync("policy")).PostAsync("/api/rulesets/arable-land-protection/drafts?effectiveFrom=2026-03-10",
            new StringContent(v3.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
                Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);

        var list = await SignInAsync("policy", "/rulesets");
        var table = list.Locator("[data-testid=rule-sets]");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v3" })).ToContainTextAsync("草稿");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v2" })).ToContainTextAsync("生效中");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v2" })).ToContainTextAsync("新申报适用");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v1" })).ToContainTextAsync("已被替代");
        await ShotAsync(list, "rule-sets.png");

        await table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v3" }).GetByText("查看").ClickAsync();
        await WaitUntilInteractiveAsync(list, "v3");
        await Assertions.Expect(list.Locator("[data-testid=rule-set-json]")).ToContainTextAsync("\"210124\": 100");
        await Button(list, "提交").ClickAsync();
        await Button(list.Locator(".ant-modal"), "确定").ClickAsync();
        await Assertions.Expect(list.Locator("[data-testid=rule-set-status]")).ToHaveTextAsync("待审核");
        // The officer who submitted is offered no approval.
        await Assertions.Expect(list.Locator(".rule-set-actions button")).ToHaveCountAsync(0);

        var reviewer = await SignInAsync("policy2", "/rulesets/arable-land-protection/3");
        await Button(reviewer, "批准").ClickAsync();
        await Assertions.Expect(reviewer.Locator(".ant-modal")).ToContainTextAsync("2026-03-10");
        await Button(reviewer.Locator(".ant-modal"), "确定").ClickAsync();
        await Assertions.Expect(reviewer.Locator("[data-testid=rule-set-status]")).ToHaveTextAsync("已批准，待生效");
        await ShotAsync(reviewer, "rule-set-approved.png");
    }

    /// <summary>Issue 7, item 6: the impact page's second tab runs the draft over an uploaded roster in the template's format.</summary>
    [Fact]
    public async Task Officer_UploadsATemplateRosterOnTheImpactTab_AndSeesItsFigures()
    {
        var officer = await App.SignInAsync("policy");
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v2.json")))!.AsObject();
        v3["version"] = 3;
        v3["tables"]!["rates.byCounty"]!["210124"] = 100m;
        Assert.Equal(HttpStatusCode.Created, (await officer.PostAsync("/api/rulesets/arable-land-protection/drafts?effectiveFrom=2026-03-10",
            new StringContent(v3.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        // The template's header row, then two people of 法库县: ten 亩 (853.50 → 1000.00) and a converted plot (ineligible both ways).
        var header = (await officer.GetStringAsync("/api/rulesets/arable-land-protection/template.csv")).TrimStart('\uFEFF').Split("\r\n")[0];
        string Row(string name, string id, string area, string converted) => string.Join(',', header.Split(',').Select(c => c switch
        {
            "姓名" => name, "身份证号" => id, "地区代码" => "210124101", "银行账号" => Claims.Account, "开户银行" => "",
            "承包面积（亩）" => area, "是否改变用途" => converted, _ => "",
        }));
        var csv = Encoding.UTF8.GetBytes(string.Join("\r\n", header, Row("张三", Claims.Id("21012419800101123"), "10", "否"),
            Row("李四", Claims.Id("21012419750505123"), "2", "是")) + "\r\n");

        var page = await SignInAsync("policy", "/rulesets/arable-land-protection/3/impact");
        await page.GetByRole(AriaRole.Tab, new() { Name = "上传花名册测算" }).ClickAsync();
        await page.GetByTestId("impact-upload-file").SetInputFilesAsync(new FilePayload { Name = "测算样本.csv", MimeType = "text/csv", Buffer = csv });
        await Button(page, "上传并测算").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=impact-result][data-source=Upload]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("impact-baseline")).ToContainTextAsync("测算样本.csv");
        var cards = page.GetByTestId("impact-cards");
        await Assertions.Expect(cards.Locator(".impact-card", new() { HasText = "明细" }).First).ToContainTextAsync("2");
        await Assertions.Expect(cards.Locator(".impact-card", new() { HasText = "变化（元）" })).ToContainTextAsync("+146.50");
        await Assertions.Expect(page.GetByTestId("impact-lines")).ToContainTextAsync("张*");
        await Assertions.Expect(page.GetByTestId("impact-lines")).Not.ToContainTextAsync("张三");
        await ShotAsync(page, "rule-set-impact-upload.png");
    }
}
