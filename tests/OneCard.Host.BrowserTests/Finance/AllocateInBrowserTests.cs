using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Domain.Payments;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Finance;

/// <summary>
/// Finance allocates a payment batch on /finance/batches/{id}/allocate: all of it on an indicator with too little left is
/// refused with the figures and nothing is saved; filled from the indicators' remaining amounts it is saved, and the batch
/// is released to the bank; /finance/indicators then shows the indicators' in-flight and remaining amounts.
/// </summary>
public sealed class AllocateInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    // Skipped at the deadline: the allocate page answers 500 on its first (prerendered) request in the browser test host, while the
    // same use cases pass through the API (IndicatorTests, spec 预算指标控制). The cause was not found in time; see indicators-DOCS.md.
    [Fact]
    public async Task Finance_SeesTheRefusalWithTheFigures_ThenAllocatesFromTwoIndicators_AndReleasesTheBatch()
    {
        var batchId = await BatchAtPaymentAsync();
        var finance = await App.SignInAsync("finance");
        var allocation = await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}/allocation");
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        await BatchRelease.RegisterIndicatorAsync(finance, allocation, total - 100m, "辽财农〔2026〕1号");
        await BatchRelease.RegisterIndicatorAsync(finance, allocation, 500m, "辽财农〔2026〕2号");

        var page = await SignInAsync("finance", $"/finance/batches/{batchId}/allocate");
        await Assertions.Expect(page.Locator("[data-testid=batch-status]")).ToHaveTextAsync("待分配预算指标");
        var candidates = page.Locator("[data-testid=candidate]");
        await Assertions.Expect(candidates).ToHaveCountAsync(2);
        await Assertions.Expect(candidates.Nth(0).Locator("[data-testid=candidate-doc]")).ToContainTextAsync("辽财农〔2026〕1号");

        await candidates.Nth(0).Locator("[data-testid=candidate-amount]").FillAsync(total.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("[data-testid=save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=error-line]")).ToHaveTextAsync(
            $"指标 辽财农〔2026〕1号 剩余 {BudgetIndicator.Yuan(total - 100m)} 元，本批次需 {BudgetIndicator.Yuan(total)} 元，超出 100.00 元");
        await Assertions.Expect(page.Locator("[data-testid=batch-allocated]")).ToHaveTextAsync("0.00");
        await Assertions.Expect(page.Locator("[data-testid=release]")).ToHaveCountAsync(0);
        await ShotAsync(page, "allocate-refused.png");

        await page.Locator("[data-testid=fill]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sum]")).ToHaveTextAsync(BudgetIndicator.Yuan(total));
        await page.Locator("[data-testid=save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=batch-allocated]")).ToHaveTextAsync(BudgetIndicator.Yuan(total));
        await Assertions.Expect(page.Locator("[data-testid=errors]")).ToHaveCountAsync(0);

        await page.Locator("[data-testid=release]").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("已全额分配至预算指标");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=batch-status]")).ToHaveTextAsync("已下达银行");
        await Assertions.Expect(page.Locator("[data-testid=batch-step]")).ToHaveTextAsync("待银行回盘");
        await ShotAsync(page, "allocate-released.png");

        await page.GotoAsync(new Uri(App.BaseAddress, "/finance/indicators").ToString());
        await WaitUntilInteractiveAsync(page);
        var remaining = page.Locator("[data-testid=indicators] tr.ant-table-row");
        await Assertions.Expect(remaining).ToHaveCountAsync(2);
        await Assertions.Expect(remaining.Filter(new() { HasText = "辽财农〔2026〕1号" }).Locator("[data-testid=indicator-remaining]")).ToHaveTextAsync("0.00");
        await Assertions.Expect(remaining.Filter(new() { HasText = "辽财农〔2026〕2号" }).Locator("[data-testid=indicator-remaining]")).ToHaveTextAsync("400.00");
        var released = await finance.GetFromJsonAsync<JsonElement>($"/api/cases/PaymentBatch/{batchId}");
        Assert.Equal("AwaitingBank", released.GetProperty("step").GetString());
    }

    /// <summary>A case driven through the API to Payment (every step's users, the publicity timer); its one batch's id.</summary>
    private async Task<Guid> BatchAtPaymentAsync()
    {
        var id = await DriveToPaymentAsync(Claims.FiveLines());
        return Assert.Single(await BatchRelease.BatchesAsync(await App.SignInAsync("finance"), id)).GetProperty("id").GetGuid();
    }
}
