using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.RuleSets;

/// <summary>
/// Issue 7, item 5, editing without code: the policy officer opens the editor from the version page, changes 法库县's rate in
/// the standards grid, is refused at that cell, fixes it, saves a new draft version, runs the bench over last period's stored
/// lines (item 6: without a run on its content the draft could not be submitted) and submits it for review with the run as evidence.
/// </summary>
public sealed class RuleSetEditorInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Officer_EditsACountyRateInTheGrid_SeesTheLocatedError_FixesIt_SavesAndSubmits()
    {
        // Last period's roster of 大孤家子镇 (法库县), stored under v2: four eligible lines of 12.5, 8.25, 20 and 4.4 亩.
        var stored = await (await App.SignInAsync("clerk")).PostAsJsonAsync("/api/applications",
            new { policyCode = "arable-land-protection", period = "2025", lines = Claims.FiveLines() });
        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());

        var page = await SignInAsync("policy", "/rulesets/arable-land-protection/2");
        await page.GetByTestId("edit-as-new-version").ClickAsync();
        await page.WaitForURLAsync(new Regex("/rulesets/arable-land-protection/edit\\?from=2$"));
        await WaitUntilInteractiveAsync(page, "编辑规则集");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("保存为 v3 草稿");

        await page.GetByRole(AriaRole.Tab, new() { Name = "标准表" }).ClickAsync();
        var faku = page.Locator("table[data-table='rates.byCounty'] tr[data-key='210124'] input[data-cell=value]");
        await Assertions.Expect(faku).ToHaveValueAsync("85.35");
        await faku.FillAsync("八十五");
        await faku.PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("generated-json")).ToContainTextAsync("\"210124\": \"八十五\"");
        await Button(page, "保存为新版本草稿").ClickAsync();

        var cellError = page.Locator("[data-error-for=\"tables['rates.byCounty']['210124']\"]");
        await Assertions.Expect(cellError).ToContainTextAsync("值必须是 Decimal 类型");
        await Assertions.Expect(page.GetByTestId("save-errors")).ToContainTextAsync("规则集有1处错误，未保存");
        await ShotAsync(page, "rule-set-editor-error.png");

        await faku.FillAsync("90.5");
        await faku.PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("generated-json")).ToContainTextAsync("\"210124\": 90.5");
        await Button(page, "保存为新版本草稿").ClickAsync();

        await page.WaitForURLAsync(new Regex("/rulesets/arable-land-protection/3$"));
        await WaitUntilInteractiveAsync(page, "规则集 v3");
        await Assertions.Expect(page.GetByTestId("rule-set-status")).ToHaveTextAsync("草稿");
        await Assertions.Expect(page.GetByTestId("rule-set-json")).ToContainTextAsync("\"210124\": 90.5");
        await Assertions.Expect(page.GetByTestId("evidence-missing")).ToContainTextAsync("尚未运行影响测算");

        // Runs the bench over last period's stored lines, waiting on the run's own result.
        await page.GetByTestId("impact-link").ClickAsync();
        await page.WaitForURLAsync(new Regex("/rulesets/arable-land-protection/3/impact$"));
        await WaitUntilInteractiveAsync(page, "影响测算");
        await Button(page, "运行测算").ClickAsync();
        await Button(page, "确认运行").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=impact-result][data-source=Stored]")).ToHaveCountAsync(1);
        var cards = page.GetByTestId("impact-cards");
        await Assertions.Expect(cards.Locator(".impact-card", new() { HasText = "金额增加" })).ToContainTextAsync("4");
        // 85.35 → 90.5 元/亩, each line rounded to 分 once: +64.37 +42.49 +103.00 +22.66.
        await Assertions.Expect(cards.Locator(".impact-card", new() { HasText = "变化（元）" })).ToContainTextAsync("+232.52");
        await ShotAsync(page, "rule-set-editor-bench.png");

        await page.GetByText("返回规则集").ClickAsync();
        await page.WaitForURLAsync(new Regex("/rulesets/arable-land-protection/3$"));
        await WaitUntilInteractiveAsync(page, "规则集 v3");
        await Assertions.Expect(page.GetByTestId("evidence-runs")).ToContainTextAsync("+232.52");
        await Button(page, "提交").ClickAsync();
        await Button(page.Locator(".ant-modal"), "确定").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-set-status")).ToHaveTextAsync("待审核");
        await Assertions.Expect(page.GetByTestId("evidence-runs")).ToContainTextAsync("已存明细");
        await ShotAsync(page, "rule-set-editor-submitted.png");

        // The approver's case page shows the run it rests on, and its link opens that very run.
        var caseId = (await (await App.SignInAsync("policy2")).GetFromJsonAsync<System.Text.Json.JsonElement>("/api/rulesets/arable-land-protection/3"))
            .GetProperty("version").GetProperty("caseId").GetGuid();
        var approver = await SignInAsync("policy2", $"/cases/RuleSet/{caseId}");
        await Assertions.Expect(approver.GetByTestId("rule-set-link")).ToContainTextAsync("v3");
        await Assertions.Expect(approver.GetByTestId("evidence-runs")).ToContainTextAsync("+232.52");
        var runId = await approver.Locator("[data-testid=evidence-runs] tr[data-run-id]").GetAttributeAsync("data-run-id");
        await approver.GetByTestId("evidence-run-link").ClickAsync();
        await approver.WaitForURLAsync(new Regex($"/impact\\?run={runId}$"));
        await Assertions.Expect(approver.Locator($"[data-testid=impact-result][data-run-id='{runId}']")).ToHaveCountAsync(1);
    }
}
