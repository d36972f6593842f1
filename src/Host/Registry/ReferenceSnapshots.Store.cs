using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using OneCard.Domain.Registry;
using OneCard.Persistence;

namespace OneCard.Host.Registry;

public static partial class ReferenceSnapshots
{
    // The COPY's columns, checked against the EF model on every call: a property added to ReferenceRecord without being
    // added here fails loudly instead of being silently left null.
    private static readonly string[] RecordColumns =
    [
        "SnapshotId", "RowNo", "IdNumberHash", "RegionCode", "Alive", "EventDate", "EndDate", "PolicyCode", "Period", "AccountHash", "Detail",
    ];

    public sealed partial class Handler
    {
        private const int SqliteBatch = 5_000;

        /// <summary>
        /// Writes the records inside the caller's transaction, streaming: binary COPY on PostgreSQL, EF batches on SQLite
        /// (the change tracker is cleared after each, so memory stays flat). Returns how many were written.
        /// </summary>
        private async Task<long> StoreAsync(IEnumerable<ReferenceRecord> records, CancellationToken ct)
        {
            if (db.Database.CurrentTransaction is null)
                throw new InvalidOperationException("Reference records are written only inside the import's transaction.");
            if (!db.IsPostgres)
            {
                long count = 0;
                var batch = new List<ReferenceRecord>(SqliteBatch);
                foreach (var record in records)
                {
                    batch.Add(record);
                    if (batch.Count == SqliteBatch) await FlushAsync();
                }
                await FlushAsync();
                return count;

                async Task FlushAsync()
                {
                    if (batch.Count == 0) return;
                    db.ReferenceRecords.AddRange(batch);
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                    count += batch.Count;
                    batch.Clear();
                }
            }

            EnsureMatchesModel();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var columns = string.Join(", ", RecordColumns.Select(c => $"\"{c}\""));
            await using var writer = await connection.BeginBinaryImportAsync($"COPY \"ReferenceRecords\" ({columns}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var r in records)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(r.SnapshotId, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(r.RowNo, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(BlindIndexColumn.ToBytes(r.IdNumberHash), NpgsqlDbType.Bytea, ct);
                await writer.WriteAsync(r.RegionCode, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(r.Alive, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync(r.EventDate, NpgsqlDbType.Date, ct);
                await writer.WriteAsync(r.EndDate, NpgsqlDbType.Date, ct);
                await writer.WriteAsync(r.PolicyCode, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(r.Period, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(r.AccountHash is { } account ? BlindIndexColumn.ToBytes(account) : null, NpgsqlDbType.Bytea, ct);
                await writer.WriteAsync(r.Detail, NpgsqlDbType.Varchar, ct);
            }
            return (long)await writer.CompleteAsync(ct);
        }

        private void EnsureMatchesModel()
        {
            var type = db.Model.FindEntityType(typeof(ReferenceRecord)) ?? throw new InvalidOperationException("ReferenceRecord is not in the model.");
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            var mapped = type.GetProperties().Select(p => p.GetColumnName(table)).OfType<string>().ToHashSet(StringComparer.Ordinal);
            if (!mapped.SetEquals(RecordColumns))
                throw new InvalidOperationException(
                    $"ReferenceSnapshots' columns for ReferenceRecord differ from the EF model: missing [{string.Join(", ", mapped.Except(RecordColumns))}], " +
                    $"unknown [{string.Join(", ", RecordColumns.Except(mapped))}].");
        }
    }
}
