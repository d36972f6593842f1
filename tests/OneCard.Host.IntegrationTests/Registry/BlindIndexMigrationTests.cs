using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>
/// Migration <c>BlindIndexBytes</c> turns the blind indexes stored as 64 hex characters into their 32 bytes in place, on both
/// providers: a person, an account and a registry record written before it keep their keys (EF reads the same hex, a look-up
/// by it finds them, each column holds 32 bytes), the records still refuse an update (SQLite drops a rebuilt table's trigger:
/// the next migration makes it again), and going down gives the hex text back with the trigger in place.
/// </summary>
public sealed class BlindIndexMigrationTests
{
    private const string PersonHash = "00ff10a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5bff";
    private const string AccountHash = "9f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100";
    private const string PersonId = "0190a000-0000-7000-8000-000000000001";

    private const string RecordHash = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string SnapshotId = "0190a000-0000-7000-8000-000000000003";

    private static string Before(DbContext db)
    {
        var ids = db.GetService<IMigrationsAssembly>().Migrations.Keys.Order(StringComparer.Ordinal).ToList();
        return ids[ids.FindIndex(id => id.EndsWith("_BlindIndexBytes", StringComparison.Ordinal)) - 1];
    }

    private static async Task ConvertsAndRestoresAsync(DbContext db, bool postgres)
    {
        var migrator = db.GetService<IMigrator>();
        var before = Before(db);
        await migrator.MigrateAsync(before);
        var (at, yes) = postgres ? ("now()", "true") : ("0", "1");
        // Constants only: nothing here comes from outside the test.
        var insert = $"""
            INSERT INTO "Beneficiaries" ("Id", "IdNumberHash", "IdNumberCipher", "IdNumberMasked", "Name", "BirthDate", "IsMale",
                                         "RegionCode", "CreatedAt", "UpdatedAt")
            VALUES ('{PersonId}', '{PersonHash}', 'c', '210124********0011', '甲', '1960-01-01', {yes}, '210124001', {at}, {at});
            INSERT INTO "BeneficiaryAccounts" ("Id", "BeneficiaryId", "RegionCode", "AgentBankCode", "AccountCipher", "AccountMasked",
                                               "AccountHash", "HolderName", "Type", "ValidFrom", "Source", "ChangedBy")
            VALUES ('0190a000-0000-7000-8000-000000000002', '{PersonId}', '210124001', 'B', 'c', '6217****0011', '{AccountHash}',
                    '甲', 'BankCard', {at}, 'Roster', 'u-a');
            INSERT INTO "ReferenceSnapshots" ("Id", "AsOf", "Encoding", "FileName", "FileSha256", "ImportedAt", "ImportedBy", "Kind",
                                              "PolicyCode", "RegionCode", "RowCount", "Source")
            VALUES ('{SnapshotId}', '2026-12-01', 'UTF-8', 'a.csv', 'x', {at}, 'u-a', 'AccountHolders', '', '210124', 1, '公安');
            INSERT INTO "ReferenceRecords" ("SnapshotId", "RowNo", "IdNumberHash", "AccountHash", "RegionCode")
            VALUES ('{SnapshotId}', 2, '{RecordHash}', '{AccountHash}', '210124001');
            """;
        await db.Database.ExecuteSqlRawAsync(insert);

        await migrator.MigrateAsync(); // to the latest: SQLite's BlindIndexBytesTrigger comes after BlindIndexBytes
        await using (var context = NewContext(db, postgres))
        {
            var person = await context.Beneficiaries.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.IdNumberHash == PersonHash);
            Assert.Equal(Guid.Parse(PersonId), person.Id);
            Assert.Equal(AccountHash, (await context.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking().SingleAsync()).AccountHash);
            var record = await context.ReferenceRecords.AsNoTracking().SingleAsync(r => r.IdNumberHash == RecordHash && r.AccountHash == AccountHash);
            Assert.Equal(2, record.RowNo);
        }
        var length = postgres ? "octet_length" : "length";
        var widthsSql = $"""
            SELECT {length}("IdNumberHash") AS "Value" FROM "Beneficiaries"
            UNION ALL SELECT {length}("AccountHash") AS "Value" FROM "BeneficiaryAccounts"
            UNION ALL SELECT {length}("IdNumberHash") AS "Value" FROM "ReferenceRecords"
            UNION ALL SELECT {length}("AccountHash") AS "Value" FROM "ReferenceRecords"
            """;
        Assert.Equal([32, 32, 32, 32], await db.Database.SqlQueryRaw<int>(widthsSql).ToListAsync());
        await AssertRecordsRefuseAnUpdateAsync(db);

        await migrator.MigrateAsync(before);
        var restored = await db.Database.SqlQueryRaw<string>("""
            SELECT "IdNumberHash" AS "Value" FROM "Beneficiaries" UNION ALL SELECT "AccountHash" AS "Value" FROM "BeneficiaryAccounts"
            UNION ALL SELECT "IdNumberHash" AS "Value" FROM "ReferenceRecords" UNION ALL SELECT "AccountHash" AS "Value" FROM "ReferenceRecords"
            """).ToListAsync();
        Assert.Equal([PersonHash, AccountHash, RecordHash, AccountHash], restored);
        await AssertRecordsRefuseAnUpdateAsync(db);
    }

    private static async Task AssertRecordsRefuseAnUpdateAsync(DbContext db)
    {
        var failure = await Record.ExceptionAsync(() => db.Database.ExecuteSqlRawAsync("""UPDATE "ReferenceRecords" SET "RegionCode" = '210124002'"""));
        Assert.Contains("never edited", failure?.Message);
    }

    // A context of the current model on the same database (the migrating one has read nothing through its model yet).
    private static OneCardDbContext NewContext(DbContext db, bool postgres) => postgres
        ? new PostgresOneCardDbContext(new DbContextOptionsBuilder<PostgresOneCardDbContext>().UseNpgsql(db.Database.GetConnectionString()).Options)
        : new SqliteOneCardDbContext(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite(db.Database.GetConnectionString()).Options);

    [Fact]
    public async Task BlindIndexBytes_KeepsEveryKey_AsItsBytes_AndDownRestoresTheHex_OnPostgres()
    {
        var connection = await TestPostgres.CreateDatabaseAsync("blindindex");
        try
        {
            await using var db = new PostgresOneCardDbContext(new DbContextOptionsBuilder<PostgresOneCardDbContext>().UseNpgsql(connection).Options);
            await ConvertsAndRestoresAsync(db, postgres: true);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task BlindIndexBytes_KeepsEveryKey_AsItsBytes_AndDownRestoresTheHex_OnSqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"onecard-blindindex-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteOneCardDbContext(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite($"Data Source={file}").Options);
            await ConvertsAndRestoresAsync(db, postgres: false);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
