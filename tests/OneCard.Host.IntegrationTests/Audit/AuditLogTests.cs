using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Audit;

/// <summary>Guarantee 5: every decision leaves a trail; the log is append-only and hash-chained.</summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Flow_LeavesAVerifiableChain_NamingActorsAndVersions()
    {
        await driver.DriveToAsync("Payment");
        var (broken, entries) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await sp.GetRequiredService<AuditWriter>().VerifyAsync(db), await db.AuditLog.AsNoTracking().OrderBy(e => e.Seq).ToListAsync());
        });
        Assert.Null(broken);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
        var submitted = entries.Single(e => e.Action == "ApplicationSubmitted");
        Assert.Equal("u-clerk", submitted.ActorId);
        Assert.Contains("arable-land-protection@2", submitted.DataJson);
        Assert.Contains(entries, e => e.Action == "Transition" && e.ActorId == "u-reviewer" && e.DataJson.Contains("standard-subsidy@5"));
        Assert.Contains(entries, e => e.Action == "SampleDrawn" && e.DataJson.Contains("seed"));
        Assert.Contains(entries, e => e.Action == "PaymentBatchCreated");
    }

    [Fact]
    public async Task Database_RefusesUpdateAndDelete_OfAuditEntries()
    {
        await driver.SubmitAsync();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        var update = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("UPDATE \"AuditLog\" SET \"ActorId\" = 'x'", connection).ExecuteNonQueryAsync());
        Assert.Contains("append-only", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("DELETE FROM \"AuditLog\"", connection).ExecuteNonQueryAsync());
        await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("TRUNCATE \"AuditLog\"", connection).ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Verify_FindsTheTamperedEntry_WhenAnOwnerBypassesTheTrigger()
    {
        await driver.DriveToAsync("CountyReview");
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            // Only a database owner can do this; the chain still tells.
            await new NpgsqlCommand("ALTER TABLE \"AuditLog\" DISABLE TRIGGER USER; UPDATE \"AuditLog\" SET \"ActorId\" = 'u-someone-else' WHERE \"Seq\" = 2; ALTER TABLE \"AuditLog\" ENABLE TRIGGER USER;", connection).ExecuteNonQueryAsync();
        }
        var broken = await app.AsSystemAsync(sp => sp.GetRequiredService<AuditWriter>().VerifyAsync(sp.GetRequiredService<OneCardDbContext>()));
        Assert.Equal(2, broken);
    }
}
