using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Audit;
using OneCard.Domain.Privacy;

namespace OneCard.Persistence.Audit;

/// <summary>
/// Appends to the hash-chained audit log inside the caller's transaction. Appends are serialised
/// (a PostgreSQL advisory lock; SQLite has a single writer), so the chain never forks.
/// </summary>
public sealed class AuditWriter(byte[] chainKey, TimeProvider time)
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
    private const long AdvisoryLockId = 0x0_1C_A7D_A0D17;

    /// <summary>Stages one entry; it is written with the caller's SaveChanges, in the caller's transaction.</summary>
    public async Task AppendAsync(OneCardDbContext db, string actorId, string action, string entityType, string entityId,
        string regionCode, object? data, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Audit entries are written only inside a transaction with the change they record.");
        if (db.IsPostgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockId})", ct);

        var pending = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added)
            .Select(e => e.Entity).OrderByDescending(e => e.Seq).FirstOrDefault();
        var last = pending ?? await db.AuditLog.AsNoTracking().OrderByDescending(e => e.Seq).FirstOrDefaultAsync(ct);
        var seq = (last?.Seq ?? 0) + 1;
        var prev = last?.Hash ?? GenesisHash;
        var draft = new AuditEntry
        {
            Seq = seq,
            // PostgreSQL keeps microseconds: the hash must cover the instant as it is read back, not the clock's 100 ns ticks.
            At = ToMicroseconds(time.GetUtcNow()),
            ActorId = actorId,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            RegionCode = regionCode,
            DataJson = data is null ? "{}" : JsonSerializer.Serialize(data, JsonOptions),
            PrevHash = prev,
            Hash = "",
        };
        db.AuditLog.Add(new AuditEntry
        {
            Seq = draft.Seq, At = draft.At, ActorId = actorId, Action = action, EntityType = entityType, EntityId = entityId,
            RegionCode = regionCode, DataJson = draft.DataJson, PrevHash = prev,
            Hash = AuditChain.Link(chainKey, prev, draft.Canonical()),
        });
    }

    /// <summary>Re-computes the chain; returns the first sequence number whose hash does not hold, or null.</summary>
    public async Task<long?> VerifyAsync(OneCardDbContext db, CancellationToken ct = default)
    {
        var prev = GenesisHash;
        await foreach (var entry in db.AuditLog.AsNoTracking().OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (entry.PrevHash != prev || AuditChain.Link(chainKey, prev, entry.Canonical()) != entry.Hash)
                return entry.Seq;
            prev = entry.Hash;
        }
        return null;
    }

    private static DateTimeOffset ToMicroseconds(DateTimeOffset at) => new(at.Ticks - at.Ticks % 10, at.Offset);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
