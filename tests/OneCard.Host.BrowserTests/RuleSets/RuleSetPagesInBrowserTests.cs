using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
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
}
