using System.Net;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Late;

/// <summary>Issue 8, item 6: each bank's time to confirm, failure rate and late batches, per month of release.</summary>
public sealed class BankPerformanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private OneCardApp app = null!;
    private LateDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new LateDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static DateTimeOffset At(int month, int day, int hour = 0, int minute = 0) => new(2026, month, day, hour, minute, 0, Cst);

    [Fact]
    public async Task Report_CountsConfirmTimeFailuresAndLateBatches_PerBankAndMonthOfRelease()
    {
        // A: released Tue 03-10 09:00, confirmed two hours later, every line paid.
        var a = await driver.ReleasedBatchAsync();
        app.Clock.Advance(TimeSpan.FromHours(2));
        await driver.ConfirmAsync(a);
        // B: released Wed 03-18 11:00 (the driver's publicity takes 8 days), due Tue 03-24 00:00, escalated Wed 03-25 00:01,
        // confirmed Wed 03-25 11:00 (168 hours) with one line failed.
        var b = await driver.ReleasedBatchAsync();
        app.Clock.SetUtcNow(At(3, 25, 0, 1));
        await driver.SweepAsync();
        app.Clock.SetUtcNow(At(3, 25, 11));
        await driver.ConfirmAsync(b, failSeq: 1);
        // C: released in April and not confirmed yet: counts in April, not late yet.
        app.Clock.SetUtcNow(At(3, 25, 12));
        var c = await driver.ReleasedBatchAsync(); // released Thu 04-02 12:00

        var report = await driver.GetAsync("supervisor", "/api/supervision/bank-performance?year=2026");

        Assert.Equal(2026, report.GetProperty("year").GetInt32());
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([3, 4], rows.Select(r => r.GetProperty("month").GetInt32()));
        var march = rows[0];
        Assert.Equal("PSBC-LN", march.GetProperty("agentBankCode").GetString());
        Assert.Equal((2, 8, 2), (march.GetProperty("batches").GetInt32(), march.GetProperty("lines").GetInt32(), march.GetProperty("confirmed").GetInt32()));
        Assert.Equal((85.0, 168.0), (march.GetProperty("averageConfirmHours").GetDouble(), march.GetProperty("maxConfirmHours").GetDouble()));
        Assert.Equal((7, 1, 0.125), (march.GetProperty("paid").GetInt32(), march.GetProperty("failed").GetInt32(), march.GetProperty("failureRate").GetDouble()));
        Assert.Equal((1, 1), (march.GetProperty("late").GetInt32(), march.GetProperty("escalated").GetInt32()));

        var april = rows[1];
        Assert.Equal((1, 0, 0, 0), (april.GetProperty("batches").GetInt32(), april.GetProperty("confirmed").GetInt32(),
            april.GetProperty("late").GetInt32(), april.GetProperty("paid").GetInt32()));
        Assert.Equal(JsonValueKind.Null, april.GetProperty("averageConfirmHours").ValueKind);
        Assert.Equal(JsonValueKind.Null, april.GetProperty("failureRate").ValueKind);

        var total = Assert.Single(report.GetProperty("totals").EnumerateArray());
        Assert.Equal((3, 12, 2, 1), (total.GetProperty("batches").GetInt32(), total.GetProperty("lines").GetInt32(),
            total.GetProperty("confirmed").GetInt32(), total.GetProperty("late").GetInt32()));
        Assert.Equal(JsonValueKind.Null, total.GetProperty("month").ValueKind);
        Assert.NotEqual(c, a);
    }

    [Fact]
    public async Task Report_IsEmptyForAnotherYear_AndForAnotherBank()
    {
        var a = await driver.ReleasedBatchAsync();
        await driver.ConfirmAsync(a);

        Assert.Empty((await driver.GetAsync("supervisor", "/api/supervision/bank-performance?year=2025")).GetProperty("rows").EnumerateArray());
        Assert.Empty((await driver.GetAsync("supervisor", "/api/supervision/bank-performance?year=2026&bank=NOSUCH")).GetProperty("rows").EnumerateArray());
        Assert.Single((await driver.GetAsync("supervisor", "/api/supervision/bank-performance?year=2026&bank=PSBC-LN")).GetProperty("rows").EnumerateArray());
    }

    [Fact]
    public async Task Report_RefusesAYearOutOfRange_NamingTheParameter()
    {
        var response = await (await driver.Cases.As("supervisor")).GetAsync("/api/supervision/bank-performance?year=1999");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("参数 year：年份 1999 超出范围", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
