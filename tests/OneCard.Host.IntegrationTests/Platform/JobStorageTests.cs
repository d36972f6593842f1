using System.Security.Cryptography;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Platform;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// Each host keeps its own Hangfire storage, whatever another host in the same process configures meanwhile (tests and specs
/// run many hosts in one process; Hangfire's own registration hands out the process-wide <see cref="JobStorage.Current"/>).
/// </summary>
public sealed class JobStorageTests
{
    [Fact]
    public async Task EachHost_KeepsItsOwnJobStorage_WhenAnotherHostConfiguresHangfireInBetween()
    {
        var folder = Directory.CreateTempSubdirectory("onecard-jobstorage-").FullName;
        try
        {
            await using var first = Build(folder, "first");
            await using var second = Build(folder, "second");
            // The first host's configuration runs, then the second's (which sets the process-wide storage to its own), and only
            // then does the first host read its storage: the order that sent a spec's jobs to another host's dropped database.
            first.Services.GetRequiredService<IGlobalConfiguration>();
            second.Services.GetRequiredService<IGlobalConfiguration>();
            var firstStorage = first.Services.GetRequiredService<JobStorage>();
            var secondStorage = second.Services.GetRequiredService<JobStorage>();
            Assert.NotSame(firstStorage, secondStorage);

            // Each host's client writes to its own storage: one job in the first, two in the second.
            first.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => NothingJob.Run());
            var client = second.Services.GetRequiredService<IBackgroundJobClient>();
            client.Enqueue(() => NothingJob.Run());
            client.Enqueue(() => NothingJob.Run());
            Assert.Equal(1, firstStorage.GetMonitoringApi().EnqueuedCount("default"));
            Assert.Equal(2, secondStorage.GetMonitoringApi().EnqueuedCount("default"));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } // SQLite may still hold a file briefly
        }
    }

    [Fact]
    public async Task AHostsJobClient_IsMadeAndEnqueues_AfterTheHostThatConfiguredHangfireLastHasStopped()
    {
        var folder = Directory.CreateTempSubdirectory("onecard-joblogs-").FullName;
        try
        {
            await using var first = Build(folder, "first");
            var second = Build(folder, "second");
            first.Services.GetRequiredService<IGlobalConfiguration>();
            // The second host configures Hangfire last (its log provider is now the process's), then stops: its logger factory is disposed.
            second.Services.GetRequiredService<IGlobalConfiguration>();
            await second.DisposeAsync();

            // The first host's job client is made only now (as at a request's first enqueue); with Hangfire's own provider this threw
            // ObjectDisposedException for the second host's logger factory.
            var client = first.Services.GetRequiredService<IBackgroundJobClient>();
            client.Enqueue(() => NothingJob.Run());
            Assert.Equal(1, first.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedCount("default"));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } // SQLite may still hold a file briefly
        }
    }

    /// <summary>A job that does nothing (never run here: no job server).</summary>
    public static class NothingJob
    {
        public static void Run() { }
    }

    private static WebApplication Build(string folder, string name)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration["Database:Provider"] = "Sqlite";
        builder.Configuration["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, name + ".db")}";
        builder.Configuration["Jobs:SqlitePath"] = Path.Combine(folder, name + "-jobs.db");
        builder.Configuration["Jobs:RunServer"] = "false";
        builder.Configuration["Keys:PersonalDataEncryption"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        builder.Configuration["Keys:PersonalDataLookup"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        builder.Configuration["Keys:AuditChain"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        builder.AddOneCard();
        return builder.Build();
    }
}
