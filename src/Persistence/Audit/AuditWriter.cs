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

    /// <summary>One entry of <see cref="AppendManyAsync"/>.</summary>
    public sealed record Draft(string ActorId, string Action, string EntityType, string EntityId, string RegionCode, object? Data);

    /// <summary>
    /// Appends many entries in one go (bulk paths), chained after the last entry under the same lock as
    /// <see cref="AppendAsync"/>. On PostgreSQL they are written at once by COPY inside the caller's
    /// transaction; on SQLite they are staged for the caller's SaveChanges.
    /// </summary>
    public async Task AppendManyAsync(OneCardDbContext db, IReadOnlyList<Draft> drafts, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Audit entries are written only inside a transaction with the change they record.");
        if (drafts.Count == 0) return;
        // Everything but the chain is prepared before the lock, which concurrent writers queue on.
        var data = new string[drafts.Count];
        for (var k = 0; k < drafts.Count; k++)
            data[k] = drafts[k].Data is null ? "{}" : JsonSerializer.Serialize(drafts[k].Data, JsonOptions);
        if (db.IsPostgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockId})", ct);
        var pending = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added)
            .Select(e => e.Entity).OrderByDescending(e => e.Seq).FirstOrDefault();
        var last = pending ?? await db.AuditLog.AsNoTracking().OrderByDescending(e => e.Seq).FirstOrDefaultAsync(ct);
        var seq = last?.Seq ?? 0;
        var prev = last?.Hash ?? GenesisHash;
        // PostgreSQL keeps microseconds: the hashed instant must be the one read back.
        var now = time.GetUtcNow().ToUniversalTime();
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var entries = new List<AuditEntry>(drafts.Count);
        using var linker = new AuditChain.Linker(chainKey);
        for (var k = 0; k < drafts.Count; k++)
        {
            var d = drafts[k];
            var draft = new AuditEntry
            {
                Seq = ++seq, At = at, ActorId = d.ActorId, Action = d.Action, EntityType = d.EntityType, EntityId = d.EntityId,
                RegionCode = d.RegionCode, DataJson = data[k], PrevHash = prev, Hash = "",
            };
            var hash = linker.Link(prev, draft.Canonical());
            entries.Add(new AuditEntry
            {
                Seq = draft.Seq, At = at, ActorId = draft.ActorId, Action = draft.Action, EntityType = draft.EntityType, EntityId = draft.EntityId,
                RegionCode = draft.RegionCode, DataJson = draft.DataJson, PrevHash = prev, Hash = hash,
            });
            prev = hash;
        }
        if (db.IsPostgres) await db.CopyAsync(entries, ct);
        else db.AuditLog.AddRange(entries);
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
