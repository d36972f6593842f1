using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Domain.Payments;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Finance: budget indicators, the batch's allocation to them and its release to the bank.</summary>
[Binding]
public sealed class IndicatorSteps(ScenarioState state)
{
    private readonly Dictionary<string, Guid> indicators = [];

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private Task<JsonElement> Allocation() => state.GetJson("finance", $"/api/payments/batches/{state.BatchId}/allocation");

    private async Task<JsonElement> Indicator(string documentNo) =>
        (await state.GetJson("finance", $"/api/payments/indicators/{indicators[documentNo]}")).GetProperty("indicator");

    private async Task<JsonElement> BatchCase() => await state.GetJson("finance", $"/api/cases/PaymentBatch/{state.BatchId}");

    [When(@"^财政将该批次全额分配至预算指标并下达银行$")]
    public async Task AllocateAndRelease() => await BatchRelease.AllocateAndReleaseAsync(await state.As("finance"), state.BatchId);

    [Given(@"^财政登记本政策本县的预算指标""(.+)""，金额比该批次少([\d,.]+)元$")]
    public async Task RegisterShort(string documentNo, string shortBy)
    {
        var allocation = await Allocation();
        var amount = allocation.GetProperty("totalAmount").GetDecimal() - Money(shortBy);
        indicators[documentNo] = await BatchRelease.RegisterIndicatorAsync(await state.As("finance"), allocation, amount, documentNo);
    }

    [When(@"^财政登记本政策本县的预算指标""(.+)""，金额为([\d,.]+)元$")]
    public async Task Register(string documentNo, string amount) =>
        indicators[documentNo] = await BatchRelease.RegisterIndicatorAsync(await state.As("finance"), await Allocation(), Money(amount), documentNo);

    [When(@"^财政将该批次全额分配至指标""(.+)""$")]
    public async Task AllocateAll(string documentNo)
    {
        var total = (await Allocation()).GetProperty("totalAmount").GetDecimal();
        await Allocate(new { indicatorId = indicators[documentNo], amount = total });
    }

    [When(@"^财政将该批次分配至指标""(.+)""的全部余额和指标""(.+)""的([\d,.]+)元$")]
    public async Task AllocateTwo(string first, string second, string amount)
    {
        var remaining = (await Indicator(first)).GetProperty("remaining").GetDecimal();
        await Allocate(new { indicatorId = indicators[first], amount = remaining }, new { indicatorId = indicators[second], amount = Money(amount) });
        Assert.True(state.LastResponse!.IsSuccessStatusCode, state.LastBody);
    }

    private async Task Allocate(params object[] lines)
    {
        var client = await state.As("finance");
        await state.Remember(await client.PostAsJsonAsync($"/api/payments/batches/{state.BatchId}/allocations", new { allocations = lines }));
    }

    [Then(@"^分配被拒绝：指标""(.+)""剩余不足，超出([\d,.]+)元$")]
    public async Task ThenRefused(string documentNo, string over)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, state.LastResponse!.StatusCode);
        var problem = state.LastJson;
        Assert.Equal("IndicatorInsufficient", problem.GetProperty("code").GetString());
        var total = (await Allocation()).GetProperty("totalAmount").GetDecimal();
        var remaining = (await Indicator(documentNo)).GetProperty("remaining").GetDecimal();
        Assert.Equal(total - remaining, Money(over));
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("allocations[0].amount", error.GetProperty("field").GetString());
        // The refusal carries the figures: what is left, what the batch needs, by how much it is over.
        Assert.Equal($"指标 {documentNo} 剩余 {BudgetIndicator.Yuan(remaining)} 元，本批次需 {BudgetIndicator.Yuan(total)} 元，超出 {BudgetIndicator.Yuan(Money(over))} 元",
            error.GetProperty("message").GetString());
    }

    [Then(@"^该批次仍待分配预算指标，不能下达银行$")]
    public async Task ThenNotReleasable()
    {
        var batch = await BatchCase();
        Assert.Equal("Allocate", batch.GetProperty("step").GetString());
        Assert.DoesNotContain("Release", batch.GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));
        var client = await state.As("finance");
        using var response = await client.PostAsJsonAsync($"/api/cases/PaymentBatch/{state.BatchId}/actions/Release", new { comment = (string?)null });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Allocating", (await Allocation()).GetProperty("status").GetString());
    }

    [Then(@"^指标""(.+)""已分配([\d,.]+)元$")]
    public async Task ThenAllocated(string documentNo, string amount) =>
        Assert.Equal(Money(amount), (await Indicator(documentNo)).GetProperty("allocated").GetDecimal());

    [When(@"^" + Words.Who + @"(\S+) 下达该批次$")]
    public async Task Release(string user) =>
        await state.PostOk(user, $"/api/cases/PaymentBatch/{state.BatchId}/actions/Release", new { comment = "指标已足额分配" });

    [Then(@"^该批次已下达银行$")]
    public async Task ThenReleased()
    {
        Assert.Equal("AwaitingBank", (await BatchCase()).GetProperty("step").GetString());
        Assert.Equal("Instructed", (await Allocation()).GetProperty("status").GetString());
    }

    [Then(@"^指标""(.+)""剩余([\d,.]+)元，在途金额为其全额$")]
    public async Task ThenInFlight(string documentNo, string remaining)
    {
        var indicator = await Indicator(documentNo);
        Assert.Equal(Money(remaining), indicator.GetProperty("remaining").GetDecimal());
        Assert.Equal(indicator.GetProperty("amount").GetDecimal(), indicator.GetProperty("inFlight").GetDecimal());
        Assert.Equal(0m, indicator.GetProperty("paid").GetDecimal());
    }

    [Then(@"^两个指标的已支付金额合计等于银行支付成功的金额，退票金额已退回指标$")]
    public async Task ThenPaidMatchesBank()
    {
        var batch = Assert.Single((await state.GetJson("finance", $"/api/payments/batches?applicationId={state.CaseId}")).EnumerateArray());
        Assert.Equal("Reconciled", (await BatchCase()).GetProperty("step").GetString());
        var figures = new List<JsonElement>();
        foreach (var documentNo in indicators.Keys) figures.Add(await Indicator(documentNo));
        var succeeded = batch.GetProperty("succeededAmount").GetDecimal();
        var failed = batch.GetProperty("failedAmount").GetDecimal();
        Assert.True(failed > 0);
        Assert.Equal(succeeded, figures.Sum(f => f.GetProperty("paid").GetDecimal()));
        Assert.Equal(succeeded, figures.Sum(f => f.GetProperty("allocated").GetDecimal()));
        Assert.Equal(0m, figures.Sum(f => f.GetProperty("inFlight").GetDecimal()));
        Assert.Equal(failed, figures.Sum(f => f.GetProperty("remaining").GetDecimal()));
    }
}
