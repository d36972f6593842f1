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
        Assert.Equal(1L, await new NpgsqlCommand("SELECT count(*) FROM \"RuleSets\"", connection).ExecuteScalarAsync());
        Assert.Equal(1406L + 100 + 14 + 1 + 1, await new NpgsqlCommand("SELECT count(*) FROM \"Regions\"", connection).ExecuteScalarAsync());
        await connection.CloseAsync();
        await second.DisposeAsync();
        await first.DisposeAsync();
    }
}
