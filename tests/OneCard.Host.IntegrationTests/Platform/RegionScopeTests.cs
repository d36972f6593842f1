using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>Guarantee 7: a user sees and touches only their region (reliability-security §6, IDOR).</summary>
public sealed class RegionScopeTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task ReviewerOfAnotherCounty_Gets404_ForReadAndActions()
    {
        var id = await driver.SubmitAsync();
        await driver.ActAsync(id, "clerk.review", "Approve");
        var other = await driver.As("reviewer.kangping");

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/applications/{id}/lines/reject", new { lineNos = new[] { 1 }, reason = "越权" })).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray());
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
        // The case's own county reviewer sees it and its task.
        Assert.Single((await (await driver.As("reviewer")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
    }

    [Fact]
    public async Task ClerkOfAnotherTownship_SeesNeitherCaseNorTask()
    {
        var id = await driver.SubmitAsync();
        var clerk2 = await driver.As("clerk2");
        Assert.Equal(HttpStatusCode.NotFound, (await clerk2.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Empty((await clerk2.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
    }

    [Fact]
    public async Task Anonymous_Gets401_OnCaseEndpoints()
    {
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task ThirdPartyInspector_SeesOnlySampledLines()
    {
        var id = await driver.DriveToAsync("SampleCheck");
        var asInspector = await driver.GetAsync(id, "inspector");
        var asReviewer = await driver.GetAsync(id, "reviewer");
        var sampled = asReviewer.GetProperty("lines").EnumerateArray().Count(l => l.GetProperty("sampled").GetBoolean());
        Assert.True(sampled >= 1);
        Assert.Equal(sampled, asInspector.GetProperty("lines").GetArrayLength());
        Assert.All(asInspector.GetProperty("lines").EnumerateArray(), l => Assert.True(l.GetProperty("sampled").GetBoolean()));
        Assert.True(asReviewer.GetProperty("lines").GetArrayLength() > sampled);
    }

    [Fact]
    public async Task ThirdPartyInspector_SeesOnlyCasesDrawnForTheirCheck_WithoutHistory()
    {
        var sampled = await driver.DriveToAsync("SampleCheck");
        var notYet = await driver.SubmitAsync([CaseDriver.Line("钱七", CaseDriver.Id("21012419700707777"), 5m)]);
        var inspector = await driver.As("inspector");
        var listed = (await inspector.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([sampled], listed);
        Assert.Equal(HttpStatusCode.NotFound, (await inspector.GetAsync($"/api/applications/{notYet}")).StatusCode);
        Assert.Empty((await driver.GetAsync(sampled, "inspector")).GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task ExtraJsonFields_CannotSetStatusOrAmount()
    {
        var clerk = await driver.As("clerk");
        var response = await clerk.PostAsJsonAsync("/api/applications", new
        {
            policyCode = "arable-land-protection", period = "2026", Status = "Paid", ApprovedBy = "u-finance",
            lines = new[] { new { name = "张三", idNumber = CaseDriver.Id("21012419800101123"), regionCode = "210124101", bankAccount = "6217991234567890123",
                bankName = "邮储", Amount = 999999m, Outcome = "Paid", facts = new Dictionary<string, object> { ["AreaMu"] = 1m, ["LandConverted"] = false } } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var detail = await driver.GetAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        var line = detail.GetProperty("lines")[0];
        Assert.Equal("Eligible", line.GetProperty("outcome").GetString());
        Assert.Equal(85.35m, line.GetProperty("amount").GetDecimal());
        Assert.Equal("TownshipReview", detail.GetProperty("case").GetProperty("step").GetString());
    }
}
