using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace OneCard.Persistence;

/// <summary>Which database OneCard runs on.</summary>
public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string ConnectionString { get; set; } = "Data Source=onecard.db";
    /// <summary>
    /// Store rosters by binary COPY on PostgreSQL (the default). False forces the EF SaveChanges path
    /// everywhere: for comparison tests and benchmarks, and as an operational escape hatch.
    /// </summary>
    public bool BulkCopy { get; set; } = true;
}

/// <summary>Registers the provider's context as <see cref="OneCardDbContext"/>.</summary>
public static class DatabaseSetup
{
    public static IServiceCollection AddOneCardDatabase(this IServiceCollection services, DatabaseOptions options)
    {
        if (options.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContext<PostgresOneCardDbContext>(o => o.UseNpgsql(options.ConnectionString));
            services.AddScoped<OneCardDbContext>(sp => sp.GetRequiredService<PostgresOneCardDbContext>());
        }
        else
        {
            services.AddDbContext<SqliteOneCardDbContext>(o => o.UseSqlite(options.ConnectionString));
            services.AddScoped<OneCardDbContext>(sp => sp.GetRequiredService<SqliteOneCardDbContext>());
        }
        services.AddSingleton(options);
        return services;
    }

    /// <summary>Creates a context outside DI (tools, benchmarks).</summary>
    public static OneCardDbContext CreateContext(DatabaseOptions options) => options.Provider == DatabaseProvider.Postgres
        ? new PostgresOneCardDbContext(new DbContextOptionsBuilder<PostgresOneCardDbContext>().UseNpgsql(options.ConnectionString).Options)
        : new SqliteOneCardDbContext(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite(options.ConnectionString).Options);
}
