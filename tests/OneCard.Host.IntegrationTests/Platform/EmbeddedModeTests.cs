using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// The README's run command: the host on embedded SQLite (database and Hangfire storage), demo data
/// seeded through the real use cases, serving health, OpenAPI and the web UI.
/// </summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private EmbeddedDemoHost host = null!;

    public Task InitializeAsync()
    {
        host = EmbeddedDemoHost.Start(runJobs: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task EmbeddedHost_ServesHealthOpenApiAndUi_WithACaseAtEveryStep()
    {
        var client = host.Anonymous();
        // Degraded, not unhealthy, while the official calendar lacks next year (CalendarHealthCheck).
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(await health.Content.ReadAsStringAsync(), new[] { "Healthy", "Degraded" });
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/applications/roster", out _));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);

        (await client.PostAsJsonAsync("/api/auth/sign-in", new { userName = "supervisor", password = Demo.DemoData.Password })).EnsureSuccessStatusCode();
        var steps = (await client.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray()
            .Select(a => a.GetProperty("step").GetString()).Order().ToList();
        // A case at every step of the standard workflow (issue 10: 退回修改, 异议处理, 已驳回, 已撤回 too; DemoEveryStepTests checks each place),
        // and the 民政 one at county review: the supervisor sees across departments.
        Assert.Equal(["CountyReview", "FinanceRecheck", "ObjectionReview", "Payment", "Publicity", "Publicized", "Rejected", "Returned", "SampleCheck",
            "TownshipReview", "Withdrawn"], steps.Distinct().Order().ToList());
        // Departments: the 民政 county reviewer sees only the 民政 case, the 农业农村 one only the seven others.
        var civil = await host.SignInAsync("reviewer.civil");
        var civilCases = (await civil.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray().ToList();
        var civilCase = Assert.Single(civilCases);
        Assert.Equal("elderly-longevity-allowance", civilCase.GetProperty("policyCode").GetString());
        Assert.Equal("CountyReview", civilCase.GetProperty("step").GetString());
        var agri = await host.SignInAsync("reviewer");
        Assert.All((await agri.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray(),
            a => Assert.Equal("arable-land-protection", a.GetProperty("policyCode").GetString()));
        var notices = await client.GetFromJsonAsync<JsonElement>("/api/public/notices");
        Assert.Contains(notices.EnumerateArray(), n => n.GetProperty("kind").GetString() == "公开");
        // Every batch's page loads on SQLite too (totals, steps, imports, whether a publication waits): the demo's cases are small
        // and published inside their import, so none waits.
        var finance = await host.SignInAsync("finance");
        var batches = (await finance.GetFromJsonAsync<JsonElement>("/api/payments/batches")).EnumerateArray().ToList();
        Assert.Contains(batches, b => b.GetProperty("status").GetString() == "Reconciled");
        foreach (var batch in batches)
            Assert.False((await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batch.GetProperty("id").GetGuid()}"))
                .GetProperty("publicationWaiting").GetBoolean());
    }
}
