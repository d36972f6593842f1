using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

public sealed class SubmitApplicationTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Submit_StoresLinesWithRuleResults_AndOpensTownshipReviewTask()
    {
        var clerk = await app.SignInAsync("clerk");
        var response = await clerk.PostAsJsonAsync("/api/applications", new
        {
            policyCode = "arable-land-protection",
            period = "2026",
            lines = new object[]
            {
                Claims.Line("张三", "210124198001011230", 12.5m),
                Claims.Line("李四", "210124197505051231", 3m, converted: true),
            },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("lineCount").GetInt32());
        Assert.Equal(1, body.GetProperty("eligibleCount").GetInt32());
        // 12.5 mu × 85.35 yuan (法库县) = 1066.875 → 1066.88, rounded half away from zero once.
        Assert.Equal(1066.88m, body.GetProperty("payableAmount").GetDecimal());
        Assert.Equal("TownshipReview", body.GetProperty("step").GetString());

        // The task is the township's second clerk's: the submitter may not review their own roster.
        Assert.Empty((await clerk.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
        Assert.Single((await (await app.SignInAsync("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray());
    }
}
