using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>
/// Issue 6, item 2: handlers no longer name concrete steps. A newer definition version that renames the sample check
/// and the payment step (and the payment step's system action) still scopes the inspector and still closes on bank results.
/// </summary>
public sealed class RenamedStepsTests : IAsyncLifetime
{
    private readonly TestWorkflows workflows = new TestWorkflows().Variant("standard-subsidy.v2.json", 90, json => TestWorkflows.Rename(json,
        ("SampleCheck", "OnSiteCheck"), ("Payment", "Disbursement"), ("BankResultsReconciled", "PaymentsSettled")));
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(settings: workflows.Settings); driver = new CaseDriver(app); }
    public async Task DisposeAsync() { await app.DisposeAsync(); workflows.Dispose(); }

    private static async Task<List<Guid>> ListedAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task Inspector_SeesTheCase_InARenamedCheckStep_AndLosesItAfterwards()
    {
        var id = await driver.DriveToAsync("SampleCheck");
        Assert.Equal("OnSiteCheck", await driver.StepAsync(id));
        var inspector = await driver.As("inspector");
        Assert.Equal(HttpStatusCode.OK, (await inspector.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Contains(id, await ListedAsync(inspector));

        foreach (var line in (await driver.GetAsync(id, "inspector")).GetProperty("lines").EnumerateArray())
            (await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" }))
                .EnsureSuccessStatusCode();
        await driver.ActAsync(id, "inspector", "Complete");

        Assert.Equal(HttpStatusCode.NotFound, (await inspector.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.DoesNotContain(id, await ListedAsync(inspector));
    }

    [Fact]
    public async Task BankResults_CloseARenamedPaymentStep_ThroughItsOwnSystemAction()
    {
        var id = await driver.DriveToAsync("Payment");
        Assert.Equal("Disbursement", await driver.StepAsync(id));
        var finance = await driver.As("finance");
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var bankFile = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(app.Services, bankFile, [2])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.bank" },
        };

        var response = await finance.PostAsync($"/api/payments/batches/{batchId}/results", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Publicized", await driver.StepAsync(id));
        var history = (await driver.GetAsync(id)).GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("PaymentsSettled", history);
    }
}
