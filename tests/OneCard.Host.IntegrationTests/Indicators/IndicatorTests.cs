using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Indicators;

/// <summary>Budget indicators: registration, allocation with its refusals, the WithinIndicators guard at release, returns on reconciliation.</summary>
public sealed class IndicatorTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpClient> Finance() => await driver.As("finance");

    /// <summary>The application's one batch, still allocating, and its allocation view.</summary>
    private async Task<(Guid BatchId, JsonElement Allocation)> AllocatingBatchAsync()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = Assert.Single(await BatchRelease.BatchesAsync(await Finance(), id));
        Assert.Equal("Allocating", batch.GetProperty("status").GetString());
        var batchId = batch.GetProperty("id").GetGuid();
        return (batchId, await (await Finance()).GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}/allocation"));
    }

    private async Task<HttpResponseMessage> AllocateAsync(Guid batchId, params (Guid Indicator, decimal Amount)[] lines) =>
        await (await Finance()).PostAsJsonAsync($"/api/payments/batches/{batchId}/allocations",
            new { allocations = lines.Select(l => new { indicatorId = l.Indicator, amount = l.Amount }) });

    private async Task<HttpResponseMessage> ReleaseAsync(Guid batchId) =>
        await (await Finance()).PostAsJsonAsync($"/api/cases/PaymentBatch/{batchId}/actions/Release", new { comment = (string?)null });

    private async Task<JsonElement> IndicatorAsync(Guid id) =>
        (await (await Finance()).GetFromJsonAsync<JsonElement>($"/api/payments/indicators/{id}")).GetProperty("indicator");

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Task<int> LedgerCountAsync() => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().IndicatorEntries.CountAsync());

    [Fact]
    public async Task Allocation_IsRefusedWithTheFigures_WhenOverTheIndicatorsRemaining_AndWritesNothing()
    {
        var (batchId, allocation) = await AllocatingBatchAsync();
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        var indicator = await BatchRelease.RegisterIndicatorAsync(await Finance(), allocation, total - 40m, "辽财农〔2026〕12号");

        var response = await AllocateAsync(batchId, (indicator, total));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("IndicatorInsufficient", problem.GetProperty("code").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("allocations[0].amount", error.GetProperty("field").GetString());
        Assert.Equal($"指标 辽财农〔2026〕12号 剩余 {BudgetIndicator.Yuan(total - 40m)} 元，本批次需 {BudgetIndicator.Yuan(total)} 元，超出 40.00 元",
            error.GetProperty("message").GetString());
        Assert.Equal(0, await LedgerCountAsync());
        Assert.Equal(total - 40m, (await IndicatorAsync(indicator)).GetProperty("remaining").GetDecimal());
    }

    [Fact]
    public async Task Release_IsRefusedByWithinIndicators_UntilTheBatchIsAllocatedInFull_ThenTheBatchGoesToTheBank()
    {
        var (batchId, allocation) = await AllocatingBatchAsync();
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        var indicator = await BatchRelease.RegisterIndicatorAsync(await Finance(), allocation, 1_000_000m);

        Assert.Equal(HttpStatusCode.Conflict, (await ReleaseAsync(batchId)).StatusCode);
        var partial = await AllocateAsync(batchId, (indicator, total - 1m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, partial.StatusCode);
        Assert.Equal("AllocationSumMismatch", (await ProblemAsync(partial)).GetProperty("code").GetString());
        // The bank file does not exist for a batch still allocating: its case's step is Allocate, nothing is released.
        var batchCase = await (await Finance()).GetFromJsonAsync<JsonElement>($"/api/cases/PaymentBatch/{batchId}");
        Assert.Equal("Allocate", batchCase.GetProperty("step").GetString());
        Assert.DoesNotContain("Release", batchCase.GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));

        Assert.Equal(HttpStatusCode.OK, (await AllocateAsync(batchId, (indicator, total))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReleaseAsync(batchId)).StatusCode);

        var released = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PaymentBatches.AsNoTracking().SingleAsync(b => b.Id == batchId));
        Assert.Equal(PaymentBatchStatus.Instructed, released.Status);
        Assert.Equal(app.Clock.GetUtcNow(), released.ReleasedAt);
        var figures = await IndicatorAsync(indicator);
        Assert.Equal(total, figures.GetProperty("inFlight").GetDecimal());
        Assert.Equal(1_000_000m - total, figures.GetProperty("remaining").GetDecimal());
        // Released: the allocation no longer changes.
        var late = await AllocateAsync(batchId, (indicator, total));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("BatchNotAllocating", (await ProblemAsync(late)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Reallocation_GivesBackWhatTheBatchNoLongerHolds_AndTheSameRequestTwiceConcurrentlyWritesOnce()
    {
        var (batchId, allocation) = await AllocatingBatchAsync();
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        var first = await BatchRelease.RegisterIndicatorAsync(await Finance(), allocation, total, "辽财农〔2026〕1号");
        var second = await BatchRelease.RegisterIndicatorAsync(await Finance(), allocation, total, "辽财农〔2026〕2号");

        var twice = await Task.WhenAll(AllocateAsync(batchId, (first, total)), AllocateAsync(batchId, (first, total)));
        Assert.All(twice, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await LedgerCountAsync());

        Assert.Equal(HttpStatusCode.OK, (await AllocateAsync(batchId, (second, total))).StatusCode);
        Assert.Equal(0m, (await IndicatorAsync(first)).GetProperty("allocated").GetDecimal());
        Assert.Equal(total, (await IndicatorAsync(second)).GetProperty("allocated").GetDecimal());
        Assert.Equal(3, await LedgerCountAsync());
    }

    [Fact]
    public async Task Allocation_IsRefused_ForAnIndicatorOfAnotherPolicyRegionOrYear()
    {
        var (batchId, allocation) = await AllocatingBatchAsync();
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        var year = allocation.GetProperty("year").GetInt32();
        var finance = await Finance();
        var response = await finance.PostAsJsonAsync("/api/payments/indicators", new
        {
            documentNo = "辽财社〔2025〕9号", title = "高龄津贴", year = year - 1, issuingLevel = "County", countyShare = total, isDirect = false,
            policyCode = "elderly-longevity-allowance", regionCode = "210124", amount = total,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var other = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        var refused = await AllocateAsync(batchId, (other, total));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var codes = (await ProblemAsync(refused)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Contains("IndicatorPolicyMismatch", codes);
        Assert.Contains("IndicatorYearMismatch", codes);
    }

    [Fact]
    public async Task Register_RefusesEveryProblemLocatedByField()
    {
        var response = await (await Finance()).PostAsJsonAsync("/api/payments/indicators", new
        {
            documentNo = "", title = "耕地地力保护补贴", year = 2026, issuingLevel = "Central", centralShare = 600m, provincialShare = 300m, cityShare = 0m,
            countyShare = 0m, isDirect = true, policyCode = "arable-land-protection", regionCode = "210123", amount = 1000m,
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("message").GetString()!);
        Assert.Equal("文号：必填", errors["documentNo"]);
        Assert.Equal("分级承担：中央 600.00 + 省级 300.00 + 市级 0.00 + 县级 0.00 = 900.00 元，与指标金额 1,000.00 元不符", errors["shares"]);
        // 康平县 is not 法库县's finance's to fund.
        Assert.StartsWith("指标接收地区：210123 不在您的管辖范围", errors["regionCode"]);
        Assert.Empty(await (await Finance()).GetFromJsonAsync<JsonElement[]>("/api/payments/indicators") ?? []);
    }

    [Fact]
    public async Task Reconciliation_ReturnsTheFailedAmountToTheIndicators_SoPaidIsWhatTheBankPaid()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = await driver.BatchAsync(id);
        var batchId = batch.GetProperty("id").GetGuid();
        var finance = await Finance();
        var bankFile = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(app.Services, bankFile, [2])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.onecard" },
        };
        Assert.Equal(HttpStatusCode.OK, (await finance.PostAsync($"/api/payments/batches/{batchId}/results", form)).StatusCode);

        var reconciled = Assert.Single(await BatchRelease.BatchesAsync(finance, id));
        var held = (await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}/allocation")).GetProperty("held").EnumerateArray().ToList();
        var indicator = await IndicatorAsync(Assert.Single(held).GetProperty("indicatorId").GetGuid());
        var succeeded = reconciled.GetProperty("succeededAmount").GetDecimal();
        Assert.True(reconciled.GetProperty("failedAmount").GetDecimal() > 0);
        Assert.Equal(succeeded, indicator.GetProperty("paid").GetDecimal());
        Assert.Equal(succeeded, indicator.GetProperty("allocated").GetDecimal());
        Assert.Equal(0m, indicator.GetProperty("inFlight").GetDecimal());
        Assert.Equal(indicator.GetProperty("amount").GetDecimal() - succeeded, indicator.GetProperty("remaining").GetDecimal());
        Assert.Equal("Reconciled", (await finance.GetFromJsonAsync<JsonElement>($"/api/cases/PaymentBatch/{batchId}")).GetProperty("step").GetString());
        var returns = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().IndicatorEntries
            .Where(e => e.BatchId == batchId && e.Kind == IndicatorEntryKind.Return).Select(e => e.Amount).ToListAsync());
        Assert.Equal(reconciled.GetProperty("failedAmount").GetDecimal(), Assert.Single(returns));
    }
}
