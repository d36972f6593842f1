using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Supervision;

/// <summary>
/// The city supervisor in the browser: the SLA view draws its charts (ECharts from the package's own assets, no CDN),
/// drills down 沈阳市 → 法库县 → 大孤家子镇 and opens the overdue case from the overdue list.
/// </summary>
public sealed class SlaViewInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Supervisor_SeesTheChart_DrillsDownToATownship_AndOpensAnOverdueCase()
    {
        var (id, number) = await SubmitAsync(Claims.FiveLines());
        // The township review's time limit passes on the app's clock: the case's task is overdue.
        App.Clock.Advance(TimeSpan.FromDays(30));

        var page = await SignInAsync("supervisor", "/supervision");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("监管看板");
        // The chart has rendered: ECharts drew an SVG with the county's axis label and bars.
        var chart = page.Locator("[data-testid=region-chart] svg");
        await Assertions.Expect(chart).ToHaveCountAsync(1);
        await Assertions.Expect(chart.Locator("text", new() { HasText = "法库县" })).ToHaveCountAsync(1);
        Assert.True(await chart.Locator("path").CountAsync() > 0);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.echarts === 'object'"), "echarts is loaded from _content/Vizor.ECharts");
        await ShotAsync(page, "sla-city.png");

        var path = page.Locator("[data-testid=region-path]");
        await page.Locator("[data-testid=region-table] tr.ant-table-row", new() { HasText = "法库县" }).ClickAsync();
        await Assertions.Expect(path).ToContainTextAsync("法库县");
        await Assertions.Expect(page.Locator("[data-testid=region-chart] svg text", new() { HasText = "大孤家子镇" })).ToHaveCountAsync(1);

        await page.Locator("[data-testid=region-table] tr.ant-table-row", new() { HasText = "大孤家子镇" }).ClickAsync();
        await Assertions.Expect(path).ToContainTextAsync("大孤家子镇");
        var overdueCase = page.Locator("[data-testid=overdue-table] a", new() { HasText = number });
        await Assertions.Expect(overdueCase).ToBeVisibleAsync();
        await ShotAsync(page, "sla-township.png");

        await overdueCase.ClickAsync();
        await page.WaitForURLAsync(new Regex($"/applications/{id}$"));
        await WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("乡镇审核");
    }
}
