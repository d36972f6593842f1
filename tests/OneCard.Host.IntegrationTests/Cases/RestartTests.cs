using OneCard.Host.Cases;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>Cases live in the database, not in a process: a new host picks up where the old one stopped.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task CaseInPublicity_MovesOn_WhenAHostStartedAfterARestartSweeps()
    {
        var first = await OneCardApp.StartAsync();
        var id = await new CaseDriver(first).DriveToAsync("Publicity");
        var database = first.ConnectionString;
        var stoppedAt = first.Clock.GetUtcNow();
        // Keep the database: a restart, not a new installation.
        await using (var second = await OneCardApp.StartAsync(database: database, start: stoppedAt.AddDays(8)))
        {
            Assert.Equal("Publicity", await new CaseDriver(second).StepAsync(id));
            await second.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);
            Assert.Equal("FinanceRecheck", await new CaseDriver(second).StepAsync(id));
        }
        await first.DisposeAsync();
    }
}
