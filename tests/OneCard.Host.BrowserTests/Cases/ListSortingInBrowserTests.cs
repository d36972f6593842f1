using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>
/// Issue 10 item 5: the application list sorts by clicking a column's header. The sort goes into the URL (the same key the
/// drop-down and the API take), the rows come back in that order from the server, and a second click reverses it.
/// </summary>
public sealed class ListSortingInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task ApplicationList_SortsByPayable_WhenItsHeaderIsClicked_AndReversesOnTheSecondClick()
    {
        var numbers = new Dictionary<decimal, string>();
        foreach (var (name, id, area) in new[] { ("张三", "210124198001011230", 12.5m), ("李四", "210124197505051231", 3m), ("王五", "210124196003031232", 7m) })
            numbers[area] = (await SubmitAsync(Claims.Line(name, Claims.Id(id[..17]), area))).Number;

        var page = await SignInAsync("clerk", "/applications");
        var rows = page.Locator("tr.ant-table-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);

        var payable = page.Locator("th", new() { HasText = "拟发金额" });
        await payable.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]sort=payable(&|$)"));
        await Assertions.Expect(rows.First).ToContainTextAsync(numbers[3m]);
        await Assertions.Expect(rows.Last).ToContainTextAsync(numbers[12.5m]);

        await page.Locator("th", new() { HasText = "拟发金额" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]sort=-payable(&|$)"));
        await Assertions.Expect(rows.First).ToContainTextAsync(numbers[12.5m]);
        await Assertions.Expect(rows.Last).ToContainTextAsync(numbers[3m]);
        await ShotAsync(page, "applications-sorted-by-payable.png");
    }
}
