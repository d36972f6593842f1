using System.Net.Http.Json;
using Npgsql;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>What the host checks before it serves.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Host_RefusesToStart_WhenAPublishedRuleSetChangedUnderTheSameVersion()
    {
        var first = await OneCardApp.StartAsync();
        var database = first.ConnectionString;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            // As if the file had been edited after cases were pinned to arable-land-protection@1.
            await new NpgsqlCommand("UPDATE \"RuleSets\" SET \"Sha256\" = 'edited' WHERE \"VersionKey\" = 'arable-land-protection@1'", connection).ExecuteNonQueryAsync();
        }
        NpgsqlConnection.ClearAllPools();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => OneCardApp.StartAsync(database: database));
        Assert.Contains("arable-land-protection@1 changed after it was published", refused.ToString());
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Host_RestartsOnItsOwnDatabase_WithoutRegisteringTwice()
    {
        var first = await OneCardApp.StartAsync();
        var second = await OneCardApp.StartAsync(database: first.ConnectionString);
        await using var connection = new NpgsqlConnection(first.ConnectionString);
        await connection.OpenAsync();
        // Every shipped rule set file (arable-land-protection and minimum-living-allowance v1 and v2, the six other policies' v1)
        // registered once.
        var shipped = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "rules"), "*.json").Length;
        Assert.Equal(11, shipped); // households (issue 9): minimum-living-allowance v3 reads the household registry and a check
        Assert.Equal((long)shipped, await new NpgsqlCommand("SELECT count(*) FROM \"RuleSets\"", connection).ExecuteScalarAsync());
        Assert.Equal(1406L + 100 + 14 + 1 + 1, await new NpgsqlCommand("SELECT count(*) FROM \"Regions\"", connection).ExecuteScalarAsync());
        await connection.CloseAsync();
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task FirstStart_OnAFreshDatabase_LogsNoError()
    {
        // An operator reads an Error line as something to act on. EF used to log one on every first start: it read its
        // migrations history before the table existed ("Failed executing DbCommand … __EFMigrationsHistory").
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var app = await OneCardApp.StartAsync(log: lines.Enqueue);
        Assert.Equal("Healthy", await app.CreateClient().GetStringAsync("/health"));
        static string Level(string line) => line.Split(' ', 3) is [_, var level, _] ? level : "";
        var errors = lines.Where(l => Level(l) is "Error" or "Fatal").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.Contains(lines, l => Level(l) == "Information"); // the log reached the test
    }

    [Fact]
    public async Task Health_IsDegraded_WhenDeadlinesCanReachAYearTheCalendarLacks()
    {
        // 2026-03-02: the next 90 days are all in 2026, which the calendar covers.
        await using var march = await OneCardApp.StartAsync();
        Assert.Equal("Healthy", await march.CreateClient().GetStringAsync("/health"));

        // 2026-11-28: deadlines set now run into 2027, whose holiday notice is not in the calendar yet.
        await using var november = await OneCardApp.StartAsync(start: new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal("Degraded", await november.CreateClient().GetStringAsync("/health"));
    }

    [Fact]
    public async Task TaskDueInAnUncoveredYear_IsMarkedProvisional()
    {
        await using var app = await OneCardApp.StartAsync(start: new DateTimeOffset(2026, 12, 28, 9, 0, 0, TimeSpan.FromHours(8)));
        var driver = new CaseDriver(app);
        await driver.SubmitAsync();
        var task = (await (await driver.As("clerk.review")).GetFromJsonAsync<System.Text.Json.JsonElement>("/api/tasks"))[0];
        Assert.True(task.GetProperty("dueAtIsProvisional").GetBoolean());
    }
}
