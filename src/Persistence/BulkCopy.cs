using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace OneCard.Persistence;

/// <summary>
/// Writes many rows of one entity by PostgreSQL binary COPY on the context's connection, so it joins the
/// caller's EF transaction. The columns come from the EF model (names, value converters, store types), so a
/// property another change adds to the entity is written too instead of being silently left null.
/// </summary>
public static class BulkCopy
{
    /// <summary>Inserts <paramref name="rows"/> as the EF model would store them; PostgreSQL only.</summary>
    public static async Task CopyAsync<T>(this OneCardDbContext db, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (!db.IsPostgres) throw new InvalidOperationException("COPY is a PostgreSQL path; use the EF path on SQLite.");
        if (rows.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var tableName = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var table = StoreObjectIdentifier.Table(tableName, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => (Property: p, Name: p.GetColumnName(table)!, Type: StoreType(p.GetColumnType(table)), Converter: p.GetTypeMapping().Converter))
            .ToList();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        var sql = $"COPY {Quote(entity.GetSchema(), tableName)} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await connection.BeginBinaryImportAsync(sql, ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var c in columns)
            {
                var value = c.Property.GetGetter().GetClrValue(row);
                if (value is not null && c.Converter is not null) value = c.Converter.ConvertToProvider(value);
                // Synchronous per value: the importer buffers, and only a full buffer goes to the server.
                if (value is null) writer.WriteNull();
                else writer.Write(value, c.Type);
            }
        }
        await writer.CompleteAsync(ct);
    }

    // "character varying(32)" → "character varying": Npgsql names types without their facets.
    private static string StoreType(string type) => type.IndexOf('(') is var i and > 0 ? type[..i].Trim() : type;

    private static string Quote(string? schema, string table) => schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
}
