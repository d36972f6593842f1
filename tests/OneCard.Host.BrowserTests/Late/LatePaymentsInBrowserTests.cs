using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Cases;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Late;

/// <summary>
/// The city supervisor's late-payment view (支付逾期) in the browser: a batch the bank has not confirmed past its time limit
/// and grace shows as late and escalated, with its bank and a link to the batch; a region outside the supervisor's city is
/// refused in Chinese; the bank-performance report counts the late batch in its month.
/// </summary>
public sealed class LatePaymentsInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    [Fact]
    public async Task Supervisor_SeesTheUnconfirmedBatchLateAndEscalated_FiltersIt_AndFindsItInTheBankReport()
    {
        var id = await DriveToPaymentAsync(Claims.FiveLines()); // Tue 2026-03-10 09:00: the batch goes to its bank, due Sat 03-14 00:00
        var batch = Assert.Single(await BatchRelease.ReadyAsync(await App.SignInAsync("finance"), id));
        var batchNo = batch.GetProperty("batchNo").GetString()!;

        // The bank stays silent past the grace day (Mon 03-16): the sweep marks the batch late, then escalates it.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 17, 9, 0, 0, Cst));
        await App.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);

        var page = await SignInAsync("supervisor", "/supervision/late-payments");
        var table = page.Locator("[data-testid=late-table]");
        var row = table.Locator("tr.ant-table-row", new() { HasText = batchNo });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("中国邮政储蓄银行辽宁省分行（演示）");
        await Assertions.Expect(row).ToContainTextAsync("逾期 2 个工作日");
        await Assertions.Expect(row).ToContainTextAsync("已上报");
        await Assertions.Expect(row.Locator("a", new() { HasText = batchNo })).ToHaveAttributeAsync("href", $"finance/batches/{batch.GetProperty("id").GetGuid()}");
        await ShotAsync(page, "late-payments.png");

        // A region outside 沈阳市 is refused, located on the parameter; the city's own code lists the batch again.
        var region = page.GetByPlaceholder("地区代码（如 210100）");
        await region.FillAsync("210200");
        await page.Locator("[data-testid=search]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=error]")).ToContainTextAsync("参数 region：无权查看");
        await region.FillAsync("210100");
        await page.Locator("[data-testid=search]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=error]")).ToHaveCountAsync(0);
        await Assertions.Expect(row).ToBeVisibleAsync();

        var report = await SignInAsync("supervisor", "/supervision/bank-performance");
        var march = report.Locator("[data-testid=performance-table] tr.ant-table-row", new() { HasText = "3 月" });
        await Assertions.Expect(march).ToContainTextAsync("中国邮政储蓄银行辽宁省分行（演示）");
        await Assertions.Expect(march.Locator("td").Nth(10)).ToHaveTextAsync("1");
        await ShotAsync(report, "bank-performance.png");
    }
}
