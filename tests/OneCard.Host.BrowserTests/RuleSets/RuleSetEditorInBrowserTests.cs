using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.RuleSets;

/// <summary>
/// Issue 7, item 5, editing without code: the policy officer opens the editor from the version page, changes 法库县's rate in
/// the standards grid, is refused at that cell, fixes it, saves a new draft version and submits it for review.
/// </summary>
public sealed class RuleSetEditorInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Officer_EditsACountyRateInTheGrid_SeesTheLocatedError_FixesIt_SavesAndSubmits()
    {
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
        await Button(page, "提交").ClickAsync();
        await Button(page.Locator(".ant-modal"), "确定").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-set-status")).ToHaveTextAsync("待审核");
        await ShotAsync(page, "rule-set-editor-submitted.png");
    }
}
