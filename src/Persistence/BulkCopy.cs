using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace OneCard.Persistence;

/// <summary>
/// Writes many rows of one entity by PostgreSQL binary COPY on the context's connection, so it joins the
/// caller's EF transaction. The columns come from the EF model (names, value converters, store types), so a
/// property another change adds to the entity is written too instead of being silently left null.
/// </summary>
/// <remarks>
/// Each entity's row writer is compiled once from the model: per column it reads the property, applies the model's value
/// converter and calls Npgsql's typed <c>Write&lt;T&gt;</c> with the provider type, so nothing is boxed and Npgsql does not
/// work out a value's type again for every value (the earlier writer passed each value as <c>object</c>). A property without
/// a CLR member (a shadow property) is read through EF's getter.
/// </remarks>
public static class BulkCopy
{
    /// <summary>Inserts <paramref name="rows"/> as the EF model would store them; PostgreSQL only.</summary>
    public static async Task CopyAsync<T>(this OneCardDbContext db, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (!db.IsPostgres) throw new InvalidOperationException("COPY is a PostgreSQL path; use the EF path on SQLite.");
        if (rows.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var plan = (Plan<T>)Plans.GetOrAdd(entity, static e => Plan<T>.For(e));
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync(plan.Sql, ct);
        foreach (var row in rows)
        {
            // Synchronous: the importer buffers, and only a full buffer goes to the server.
            writer.StartRow();
            plan.WriteRow(writer, row);
        }
        await writer.CompleteAsync(ct);
    }

    // Keyed by the model's entity type: a model is built once per context type and lives as long as the process.
    private static readonly ConcurrentDictionary<IEntityType, object> Plans = new();

    /// <summary>An entity's COPY statement and its compiled row writer.</summary>
    private sealed class Plan<T>(string sql, Action<NpgsqlBinaryImporter, T> writeRow)
    {
        public string Sql { get; } = sql;
        public Action<NpgsqlBinaryImporter, T> WriteRow { get; } = writeRow;

        public static Plan<T> For(IEntityType entity)
        {
            var tableName = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
            var table = StoreObjectIdentifier.Table(tableName, entity.GetSchema());
            var writer = Expression.Parameter(typeof(NpgsqlBinaryImporter), "writer");
            var row = Expression.Parameter(typeof(T), "row");
            var names = new List<string>();
            var writes = new List<Expression>();
            foreach (var property in entity.GetProperties())
            {
                names.Add($"\"{property.GetColumnName(table)!}\"");
                writes.Add(WriteColumn(property, StoreType(property.GetColumnType(table)), writer, row));
            }
            var sql = $"COPY {Quote(entity.GetSchema(), tableName)} ({string.Join(", ", names)}) FROM STDIN (FORMAT BINARY)";
            return new Plan<T>(sql, Expression.Lambda<Action<NpgsqlBinaryImporter, T>>(Expression.Block(writes), writer, row).Compile());
        }

        /// <summary>One column: read the value, null → NULL, else convert as the model says and write with the provider's type.</summary>
        private static Expression WriteColumn(IProperty property, string storeType, ParameterExpression writer, ParameterExpression row)
        {
            var type = Expression.Constant(storeType);
            var converter = property.GetTypeMapping().Converter;
            Expression value = property.PropertyInfo is { } p ? Expression.Property(row, p)
                : property.FieldInfo is { } f ? Expression.Field(row, f)
                : Expression.Call(Expression.Constant(property.GetGetter(), typeof(IClrPropertyGetter)),
                    typeof(IClrPropertyGetter).GetMethod(nameof(IClrPropertyGetter.GetClrValue))!, Expression.Convert(row, typeof(object)));
            var nullable = !value.Type.IsValueType || Nullable.GetUnderlyingType(value.Type) is not null;
            var current = Expression.Variable(value.Type, "value");
            Expression present = Nullable.GetUnderlyingType(value.Type) is not null ? Expression.Property(current, "Value") : current;
            if (converter is not null)
            {
                if (present.Type != converter.ModelClrType) present = Expression.Convert(present, converter.ModelClrType);
                present = Expression.Invoke(converter.ConvertToProviderExpression, present);
            }
            var write = Nullable.GetUnderlyingType(present.Type) is { } inner
                ? Expression.Call(WriteNullableMethod.MakeGenericMethod(inner), writer, present, type)
                : Expression.Call(WriteMethod.MakeGenericMethod(present.Type), writer, present, type);
            Expression body = nullable
                ? Expression.IfThenElse(Expression.Equal(current, Expression.Constant(null, value.Type)),
                    Expression.Call(writer, WriteNullMethod), write)
                : write;
            return Expression.Block([current], Expression.Assign(current, value), body);
        }
    }

    private static readonly MethodInfo WriteMethod = typeof(BulkCopy).GetMethod(nameof(Write), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo WriteNullableMethod = typeof(BulkCopy).GetMethod(nameof(WriteNullable), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo WriteNullMethod = typeof(NpgsqlBinaryImporter).GetMethod(nameof(NpgsqlBinaryImporter.WriteNull), Type.EmptyTypes)!;

    // A converter may still give null (a reference type): written as NULL.
    private static void Write<TValue>(NpgsqlBinaryImporter writer, TValue value, string type)
    {
        if (value is null) writer.WriteNull();
        else writer.Write(value, type);
    }

    private static void WriteNullable<TValue>(NpgsqlBinaryImporter writer, TValue? value, string type) where TValue : struct
    {
        if (value is { } v) writer.Write(v, type);
        else writer.WriteNull();
    }

    // "character varying(32)" → "character varying": Npgsql names types without their facets.
    private static string StoreType(string type) => type.IndexOf('(') is var i and > 0 ? type[..i].Trim() : type;

    private static string Quote(string? schema, string table) => schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
}
