using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OneCard.Persistence;

/// <summary>The production model on PostgreSQL (timestamptz in UTC, numeric money).</summary>
public sealed class PostgresOneCardDbContext(DbContextOptions<PostgresOneCardDbContext> options) : OneCardDbContext(options)
{
    public override bool IsPostgres => true;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Npgsql writes only UTC offsets to timestamptz; deadlines computed at +08:00 are normalised here.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
}

/// <summary>
/// The embedded model on SQLite. Instants are stored as UTC ticks and money as 1/10000 yuan so
/// that comparisons and ordering happen in SQL, not in memory.
/// </summary>
public sealed class SqliteOneCardDbContext(DbContextOptions<SqliteOneCardDbContext> options) : OneCardDbContext(options)
{
    public override bool IsPostgres => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<ScaledDecimalConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    private sealed class ScaledDecimalConverter() : ValueConverter<decimal, long>(
        v => (long)(v * 10000m), v => v / 10000m);
}

/// <summary>Design-time factory for <c>dotnet ef migrations</c> on PostgreSQL; no server is contacted.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOneCardDbContext>
{
    public PostgresOneCardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOneCardDbContext>().UseNpgsql("Host=localhost;Database=onecard").Options);
}

/// <summary>Design-time factory for <c>dotnet ef migrations</c> on SQLite.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOneCardDbContext>
{
    public SqliteOneCardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOneCardDbContext>().UseSqlite("Data Source=design.db").Options);
}
