using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using OneCard.Persistence;

namespace OneCard.Host.IntegrationTests.Audit;

/// <summary>
/// SQLite drops a table's triggers when a migration rebuilds the table (EF rebuilds it for most column changes), and nothing says
/// so: the embedded database's append-only audit log and never-edited registry records would quietly become editable. Every
/// trigger the migrations' SQL leaves standing, replayed in order, must stand in a database migrated to the latest.
/// </summary>
public sealed partial class SqliteTriggerTests
{
    [GeneratedRegex("""(CREATE|DROP) TRIGGER (?:IF (?:NOT )?EXISTS )?"?(\w+)"?""", RegexOptions.IgnoreCase)]
    private static partial Regex TriggerStatement();

    [Fact]
    public async Task EveryTriggerTheMigrationsCreate_StandsInTheLatestSchema()
    {
        var file = Path.Combine(Path.GetTempPath(), $"onecard-triggers-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteOneCardDbContext(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite($"Data Source={file}").Options);
            await db.Database.MigrateAsync();

            var assembly = db.GetService<IMigrationsAssembly>();
            var expected = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var id in assembly.Migrations.Keys.Order(StringComparer.Ordinal))
                foreach (var sql in assembly.CreateMigration(assembly.Migrations[id], db.Database.ProviderName!).UpOperations.OfType<SqlOperation>())
                    foreach (Match m in TriggerStatement().Matches(sql.Sql))
                        if (m.Groups[1].Value.Equals("CREATE", StringComparison.OrdinalIgnoreCase)) expected.Add(m.Groups[2].Value);
                        else expected.Remove(m.Groups[2].Value);

            var standing = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger' ORDER BY name").ToListAsync();
            Assert.Contains("AuditLog_no_update", expected);
            Assert.Contains("ReferenceRecords_no_update", expected);
            Assert.Equal(expected, standing);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
