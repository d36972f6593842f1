using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>Issue 5, finding 9: a third-party inspector sees a case only while its sample check is open.</summary>
public sealed class InspectorScopeTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<List<Guid>> ListedAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task Inspector_LosesTheCase_OnceTheSampleCheckEnds()
    {
        var id = await driver.DriveToAsync("SampleCheck");
        var inspector = await driver.As("inspector");
        Assert.Equal(HttpStatusCode.OK, (await inspector.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Contains(id, await ListedAsync(inspector));

        foreach (var line in (await driver.GetAsync(id, "inspector")).GetProperty("lines").EnumerateArray())
            (await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" }))
                .EnsureSuccessStatusCode();
        await driver.ActAsync(id, "inspector", "Complete");
        Assert.Equal("Publicity", await driver.StepAsync(id));

        var after = await inspector.GetAsync($"/api/applications/{id}");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.DoesNotContain("张", await after.Content.ReadAsStringAsync());
        Assert.DoesNotContain(id, await ListedAsync(inspector));
    }

    [Fact]
    public async Task Inspector_DoesNotSeeACase_PaidAndPublishedAfterItsCheck()
    {
        var id = await driver.DriveToAsync("Payment");
        var inspector = await driver.As("inspector");
        Assert.Equal(HttpStatusCode.NotFound, (await inspector.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Empty(await ListedAsync(inspector));
        // Its own reviewers still read it.
        Assert.Equal("Payment", await driver.StepAsync(id));
    }
}
