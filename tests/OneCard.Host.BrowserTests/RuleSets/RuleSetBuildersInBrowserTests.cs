using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.RuleSets;

/// <summary>
/// Issue 7, item 5, the named-helper builders: the policy officer opens the 高龄津贴 rule set in the editor, sees the age
/// helper and the tier builder, raises 沈阳's 90–99 tier from 200 to 220 in the tier's amount grid, adds an example line by
/// typing each fact into its own field, saves, is shown the examples that now disagree at their expected amounts, fixes them
/// and saves a clean draft.
/// </summary>
public sealed class RuleSetBuildersInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Officer_ChangesATierAmount_AddsAnExampleByFields_SeesTheMismatchLocated_FixesIt_AndSavesClean()
    {
        var page = await SignInAsync("policy", "/rulesets/elderly-longevity-allowance/1");
        await page.GetByTestId("edit-as-new-version").ClickAsync();
        await page.WaitForURLAsync(new Regex("/rulesets/elderly-longevity-allowance/edit\\?from=1$"));
        await WaitUntilInteractiveAsync(page, "编辑规则集");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("保存为 v2 草稿");

        // The computed age opens in its helper, with the expression it writes beside it.
        await page.GetByRole(AriaRole.Tab, new() { Name = "事实" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-compute-builder=Age] [data-testid=compute-expression]"))
            .ToHaveTextAsync("Fn.IsValidIdNumber(IdNumber, AsOf) ? Fn.Age(IdNumber, AsOf) : 0");
        await ShotAsync(page, "rule-set-builders-facts.png");

        // The tier builder: tiers by age, and each city's amount per tier.
        await page.GetByRole(AriaRole.Tab, new() { Name = "标准表" }).ClickAsync();
        var tier = page.Locator("[data-tier='age.tiers']");
        await Assertions.Expect(tier.GetByTestId("tier-meaning")).ToContainTextAsync("Age ≥ 90 → 90");
        var shenyang90 = tier.Locator("[data-grid='standards.byCityAndTier'] td[data-cell='2101|90'] input");
        await Assertions.Expect(shenyang90).ToHaveValueAsync("200");
        await Assertions.Expect(tier.Locator("td[data-cell='2102|80'] input")).ToHaveValueAsync(""); // 大连 80–89: no entry
        await shenyang90.FillAsync("220");
        await shenyang90.PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("generated-json")).ToContainTextAsync("\"2101|90\": 220");
        await ShotAsync(page, "rule-set-builders-tier.png");

        // A new example line, one field per supplied fact; the officer still expects the old amount.
        await page.GetByRole(AriaRole.Tab, new() { Name = "示例" }).ClickAsync();
        await Button(page, "添加示例").ClickAsync();
        var added = page.Locator("[data-example='14']");
        await Fill(added.Locator("input[data-field=example-name]"), "沈阳九十八岁（2025 年）");
        await Fill(added.Locator("input[data-fact=IdNumber]"), "210114192701011231");
        await Fill(added.Locator("input[data-fact=RegionCode]"), "210114001");
        await added.Locator("input[data-fact=AsOf]").FillAsync("2025-06-30");
        await added.Locator("select[data-fact=InMinimumLivingHousehold]").SelectOptionAsync("否");
        await Fill(added.Locator("input[data-field=expect-amount]"), "200");
        await Assertions.Expect(page.GetByTestId("generated-json")).ToContainTextAsync("\"AsOf\": \"2025-06-30\"");
        await Button(page, "保存为新版本草稿").ClickAsync();

        await Assertions.Expect(page.GetByTestId("save-errors")).ToContainTextAsync("规则集有3处错误，未保存");
        foreach (var i in new[] { 3, 4, 14 })
        {
            await Assertions.Expect(page.Locator($"[data-example='{i}'] [data-error-for='examples[{i}].expect.amount']"))
                .ToContainTextAsync("期望 200.00，实为 220.00");
        }
        await ShotAsync(page, "rule-set-builders-example-mismatch.png");

        foreach (var i in new[] { 3, 4, 14 }) await Fill(page.Locator($"[data-example='{i}'] input[data-field=expect-amount]"), "220");
        await Button(page, "保存为新版本草稿").ClickAsync();

        await page.WaitForURLAsync(new Regex("/rulesets/elderly-longevity-allowance/2$"));
        await WaitUntilInteractiveAsync(page, "规则集 v2");
        await Assertions.Expect(page.GetByTestId("rule-set-status")).ToHaveTextAsync("草稿");
        await Assertions.Expect(page.GetByTestId("rule-set-json")).ToContainTextAsync("\"2101|90\": 220");
        await Assertions.Expect(page.GetByTestId("rule-set-json")).ToContainTextAsync("沈阳九十八岁（2025 年）");
        await ShotAsync(page, "rule-set-builders-saved.png");
    }

    private static async Task Fill(ILocator input, string value)
    {
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }
}
