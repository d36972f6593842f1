using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Users;

/// <summary>
/// The migration that made roles a set moves each user's one role into it (granted by "migration"), on both providers, and
/// its Down gives each user back the first role they hold. Found by what it does (creates "UserRoles"), not by its name,
/// so it survives migrations being regenerated under another name.
/// </summary>
public sealed class UserRolesMigrationTests
{
    private static (string Before, string Moving) Migrations(DbContext db)
    {
        var assembly = db.GetService<IMigrationsAssembly>();
        var ids = assembly.Migrations.Keys.Order(StringComparer.Ordinal).ToList();
        var moving = ids.Single(id => assembly.CreateMigration(assembly.Migrations[id], db.Database.ProviderName!).UpOperations
            .OfType<CreateTableOperation>().Any(t => t.Name == "UserRoles"));
        return (ids[ids.IndexOf(moving) - 1], moving);
    }

    private static async Task MovesAndRestoresAsync(DbContext db)
    {
        var migrator = db.GetService<IMigrator>();
        var (before, moving) = Migrations(db);
        await migrator.MigrateAsync(before);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "Users" ("Id", "UserName", "DisplayName", "Role", "RegionCode", "PasswordHash") VALUES
              ('u-a', 'a', '甲', 'CountyReviewer', '210124', 'x'),
              ('u-b', 'b', '乙', 'Supervisor', '210100', 'x')
            """);

        await migrator.MigrateAsync(moving);
        var moved = await db.Database.SqlQueryRaw<string>("""
            SELECT "UserId" || ':' || "Role" || ':' || "GrantedBy" AS "Value" FROM "UserRoles" ORDER BY "UserId"
            """).ToListAsync();
        Assert.Equal(["u-a:CountyReviewer:migration", "u-b:Supervisor:migration"], moved);

        // A second role granted after the move; going down keeps the first in Roles.Human order (TownshipClerk before CountyReviewer).
        await db.Database.ExecuteSqlRawAsync("""INSERT INTO "UserRoles" ("UserId", "Role", "GrantedBy", "GrantedAt") SELECT "UserId", 'TownshipClerk', 'u-admin', "GrantedAt" FROM "UserRoles" WHERE "UserId" = 'u-a'""");
        await migrator.MigrateAsync(before);
        var restored = await db.Database.SqlQueryRaw<string>("""SELECT "Id" || ':' || "Role" AS "Value" FROM "Users" ORDER BY "Id" """).ToListAsync();
        Assert.Equal(["u-a:TownshipClerk", "u-b:Supervisor"], restored);
    }

    [Fact]
    public async Task UserRolesMigration_MovesEachUsersRole_AndDownRestoresIt_OnPostgres()
    {
        var connection = await TestPostgres.CreateDatabaseAsync("migration");
        try
        {
            await using var db = new PostgresOneCardDbContext(new DbContextOptionsBuilder<PostgresOneCardDbContext>().UseNpgsql(connection).Options);
            await MovesAndRestoresAsync(db);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task UserRolesMigration_MovesEachUsersRole_AndDownRestoresIt_OnSqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"onecard-migration-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteOneCardDbContext(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite($"Data Source={file}").Options);
            await MovesAndRestoresAsync(db);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
