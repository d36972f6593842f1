using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using OneCard.Domain.Applications;
using OneCard.Domain.Beneficiaries;

namespace OneCard.Persistence.Applications;

/// <summary>
/// The PostgreSQL bulk store of a roster: beneficiaries and claim lines by binary COPY, inside the
/// caller's EF transaction (COPY on the context's connection joins it, so a failure anywhere rolls
/// back everything the submission wrote). SQLite has no COPY; callers keep the EF path there.
/// </summary>
/// <remarks>
/// Rows go in as the EF model would write them: same columns, enums as their names, instants in UTC.
/// Each call checks its column lists against the EF model, so a property added to an entity without
/// being added here fails loudly instead of being silently left null.
/// </remarks>
public static class RosterStore
{
    private static readonly string[] BeneficiaryColumns =
    [
        "Id", "IdNumberHash", "IdNumberCipher", "IdNumberMasked", "Name", "BirthDate", "IsMale", "RegionCode",
        "BankAccountCipher", "BankAccountMasked", "BankName", "CreatedAt", "UpdatedAt",
        "IdAreaCode", // households (issue 9): the ID's county, stored once per person
    ];

    // What a newer roster changes on a known beneficiary — exactly what the EF path updates.
    private static readonly string[] BeneficiaryUpdatedColumns = ["Name", "BankAccountCipher", "BankAccountMasked", "BankName", "UpdatedAt", "IdAreaCode"];

    private static readonly string[] ClaimLineColumns =
    [
        "Id", "ApplicationId", "LineNo", "BeneficiaryId", "RegionCode", "PolicyCode", "Period", "Name", "IdNumberMasked",
        "FactsJson", "Amount", "Outcome", "ReasonZh", "ReasonEn", "RuleResultsJson", "RuleSetKey", "WarningsJson",
        "Sampled", "SampleResult", "SampleNote", "SampleCheckedBy", "SampleCheckedAt", "IdAreaCode", "IdBirthDate", "IdIsMale",
    ];

    /// <summary>
    /// Inserts new beneficiaries and updates known ones (matched by <see cref="Beneficiary.IdNumberHash"/>):
    /// a known beneficiary keeps its id, ID cipher, birth data, region and creation time; its name, bank
    /// account and update time come from <paramref name="candidates"/>. Returns each hash's stored id.
    /// </summary>
    /// <remarks>
    /// The hashes must be distinct (a roster names each person once). Every candidate goes through the staging table and
    /// <c>INSERT … ON CONFLICT DO UPDATE</c>, which waits for and then updates a person another submission is storing meanwhile.
    /// Copying new people straight into <c>Beneficiaries</c> under a savepoint per chunk, with the upsert as the fallback on a
    /// unique violation, was tried and withdrawn: a million-line roster would hold a hundred subtransactions, past the 64
    /// PostgreSQL caches per backend, and every other session's snapshot would then look up <c>pg_subtrans</c>; its gain was
    /// within the benchmark's noise (bench/REGISTRY.md). So was copying them in under an exclusive advisory lock that every writer
    /// of new people took (7 Dec 2026, 17.1 s against 19.5–20.8 s at a million, first-time people only: a roster of people known
    /// from an earlier period gains nothing), which would have made every other submission in the province wait for a large one.
    /// </remarks>
    public static async Task<Dictionary<string, Guid>> UpsertBeneficiariesAsync(
        OneCardDbContext db, IReadOnlyList<Beneficiary> candidates, CancellationToken ct)
    {
        var connection = OpenConnection(db);
        EnsureMatchesModel(db, typeof(Beneficiary), BeneficiaryColumns);
        // Every candidate maps to its own id unless the upsert finds the person known; a hash named twice is refused before anything
        // is staged (the database would refuse it too: ON CONFLICT DO UPDATE cannot touch one row twice in a statement).
        var ids = new Dictionary<string, Guid>(candidates.Count, StringComparer.Ordinal);
        foreach (var b in candidates)
            if (!ids.TryAdd(b.IdNumberHash, b.Id))
                throw new InvalidOperationException("The beneficiary candidates name one ID number hash twice; hashes must be distinct.");
        // A session-private staging table, gone at the end of the transaction whichever way it ends; a roster stored chunk by
        // chunk reuses it (emptied per chunk) instead of making one per chunk.
        const string staging = "roster_beneficiaries_staging";
        var columns = string.Join(", ", BeneficiaryColumns.Select(Quote));
        await ExecuteAsync(connection,
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE \"Beneficiaries\" INCLUDING DEFAULTS) ON COMMIT DROP; TRUNCATE {staging}", ct);

        await using (var writer = await connection.BeginBinaryImportAsync($"COPY {staging} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var b in candidates)
            {
                writer.StartRow();
                writer.Write(b.Id, NpgsqlDbType.Uuid);
                writer.Write(BlindIndexColumn.ToBytes(b.IdNumberHash), NpgsqlDbType.Bytea);
                writer.Write(b.IdNumberCipher, NpgsqlDbType.Text);
                writer.Write(b.IdNumberMasked, NpgsqlDbType.Text);
                writer.Write(b.Name, NpgsqlDbType.Text);
                writer.Write(b.BirthDate, NpgsqlDbType.Date);
                writer.Write(b.IsMale, NpgsqlDbType.Boolean);
                writer.Write(b.RegionCode, NpgsqlDbType.Text);
                writer.Write(b.BankAccountCipher, NpgsqlDbType.Text);
                writer.Write(b.BankAccountMasked, NpgsqlDbType.Text);
                writer.Write(b.BankName, NpgsqlDbType.Text);
                writer.Write(b.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                writer.Write(b.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                writer.Write(b.IdAreaCode, NpgsqlDbType.Text);
            }
            await writer.CompleteAsync(ct);
        }

        var updates = string.Join(", ", BeneficiaryUpdatedColumns.Select(c => $"{Quote(c)} = EXCLUDED.{Quote(c)}"));
        // Only the known people come back: a new person's row is the candidate's own, id included, so a million-line roster
        // no longer sends back (and the host no longer reads) a million ids and hashes. A returned id that is not a candidate's
        // is a person stored before, by a roster committed earlier or by one this statement waited for.
        await using var upsert = new NpgsqlCommand(
            $"""
            WITH stored AS (
                INSERT INTO "Beneficiaries" ({columns}) SELECT {columns} FROM {staging}
                ON CONFLICT ("IdNumberHash") DO UPDATE SET {updates}
                RETURNING "Id", "IdNumberHash")
            SELECT stored."Id", stored."IdNumberHash" FROM stored
            WHERE NOT EXISTS (SELECT 1 FROM {staging} s WHERE s."Id" = stored."Id")
            """, connection);
        await using (var reader = await upsert.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var hash = BlindIndexColumn.ToHex(reader.GetFieldValue<byte[]>(1));
                if (!ids.ContainsKey(hash))
                    throw new InvalidOperationException("The beneficiary upsert returned a person no candidate names.");
                ids[hash] = reader.GetGuid(0);
            }
        return ids;
    }

    /// <summary>
    /// What one chunk's rows refer to that this transaction holds itself: its application (inserted first, seen by no one
    /// else until the commit) and the beneficiaries <see cref="UpsertBeneficiariesAsync"/> returned for the chunk (each inserted,
    /// or updated and so locked until the commit). No other transaction can remove such a row before this one commits.
    /// </summary>
    public sealed record HeldReferences(Guid ApplicationId, IReadOnlySet<Guid> Beneficiaries)
    {
        /// <summary>The held references of a chunk whose upsert returned <paramref name="stored"/> (hash → id).</summary>
        public static HeldReferences Of(Guid applicationId, IReadOnlyDictionary<string, Guid> stored) => new(applicationId, stored.Values.ToHashSet());

        /// <summary>Throws unless <paramref name="beneficiaryId"/> (and <paramref name="applicationId"/>, if given) is held.</summary>
        public void Ensure(string table, Guid beneficiaryId, Guid? applicationId = null)
        {
            if (!Beneficiaries.Contains(beneficiaryId))
                throw new InvalidOperationException($"A {table} row refers to beneficiary {beneficiaryId}, which this chunk's upsert did not store.");
            if (applicationId is { } id && id != ApplicationId)
                throw new InvalidOperationException($"A {table} row refers to application {id}, not to {ApplicationId}, the one this transaction stores.");
        }
    }

    /// <summary>
    /// Whether this session may store rows without PostgreSQL's per-row foreign-key triggers (<c>session_replication_role</c>):
    /// a superuser may, and so may a role granted <c>SET ON PARAMETER session_replication_role</c> (PostgreSQL 15).
    /// </summary>
    public static async Task<bool> MaySkipForeignKeyTriggersAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT has_parameter_privilege('session_replication_role', 'SET')", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc cref="MaySkipForeignKeyTriggersAsync(NpgsqlConnection, CancellationToken)"/>
    public static Task<bool> MaySkipForeignKeyTriggersAsync(OneCardDbContext db, CancellationToken ct) =>
        MaySkipForeignKeyTriggersAsync(OpenConnection(db), ct);

    /// <summary>
    /// Runs <paramref name="copy"/> with the session's triggers off (<c>SET LOCAL session_replication_role = replica</c>), then
    /// turns them on again. Per row, a foreign-key trigger runs a query that finds and locks the row referred to: three per
    /// roster line (the line's application and beneficiary, the account's beneficiary), more than storing the rows costs. The
    /// caller has checked every reference against its <see cref="HeldReferences"/> first, which is the same guarantee made once:
    /// the rows exist and stay until the commit. Only for tables with no trigger of their own (a test holds them to that).
    /// </summary>
    public static async Task<T> WithoutForeignKeyTriggersAsync<T>(OneCardDbContext db, Func<Task<T>> copy, CancellationToken ct)
    {
        var connection = OpenConnection(db);
        await ExecuteAsync(connection, "SET LOCAL session_replication_role = replica", ct);
        T result;
        try
        {
            result = await copy();
        }
        catch
        {
            // The transaction is rolled back, which ends a SET LOCAL; still, nothing after a failure runs without triggers.
            try { await ExecuteAsync(connection, "SET LOCAL session_replication_role = origin", CancellationToken.None); } catch { /* aborted */ }
            throw;
        }
        await ExecuteAsync(connection, "SET LOCAL session_replication_role = origin", ct);
        return result;
    }

    /// <summary>
    /// Inserts claim lines; their application and beneficiaries must already be written in this transaction. With
    /// <paramref name="held"/>, every line must refer to held rows only (checked before anything is written), and the lines are
    /// copied without the per-row foreign-key triggers (<see cref="WithoutForeignKeyTriggersAsync{T}"/>).
    /// </summary>
    public static async Task<ulong> InsertClaimLinesAsync(OneCardDbContext db, IReadOnlyList<ClaimLine> lines, HeldReferences? held, CancellationToken ct)
    {
        if (held is null) return await CopyClaimLinesAsync(db, lines, ct);
        foreach (var line in lines) held.Ensure("ClaimLines", line.BeneficiaryId, line.ApplicationId);
        return await WithoutForeignKeyTriggersAsync(db, () => CopyClaimLinesAsync(db, lines, ct), ct);
    }

    private static async Task<ulong> CopyClaimLinesAsync(OneCardDbContext db, IReadOnlyList<ClaimLine> lines, CancellationToken ct)
    {
        var connection = OpenConnection(db);
        EnsureMatchesModel(db, typeof(ClaimLine), ClaimLineColumns);
        var columns = string.Join(", ", ClaimLineColumns.Select(Quote));
        await using var writer = await connection.BeginBinaryImportAsync($"COPY \"ClaimLines\" ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var l in lines)
        {
            writer.StartRow();
            writer.Write(l.Id, NpgsqlDbType.Uuid);
            writer.Write(l.ApplicationId, NpgsqlDbType.Uuid);
            writer.Write(l.LineNo, NpgsqlDbType.Integer);
            writer.Write(l.BeneficiaryId, NpgsqlDbType.Uuid);
            writer.Write(l.RegionCode, NpgsqlDbType.Text);
            writer.Write(l.PolicyCode, NpgsqlDbType.Text);
            writer.Write(l.Period, NpgsqlDbType.Text);
            writer.Write(l.Name, NpgsqlDbType.Text);
            writer.Write(l.IdNumberMasked, NpgsqlDbType.Text);
            writer.Write(l.FactsJson, NpgsqlDbType.Text);
            writer.Write(l.Amount, NpgsqlDbType.Numeric);
            writer.Write(l.Outcome.ToString(), NpgsqlDbType.Varchar);
            writer.Write(l.ReasonZh, NpgsqlDbType.Text);
            writer.Write(l.ReasonEn, NpgsqlDbType.Text);
            writer.Write(l.RuleResultsJson, NpgsqlDbType.Text);
            writer.Write(l.RuleSetKey, NpgsqlDbType.Text);
            writer.Write(l.WarningsJson, NpgsqlDbType.Text);
            writer.Write(l.Sampled, NpgsqlDbType.Boolean);
            writer.Write(l.SampleResult?.ToString(), NpgsqlDbType.Varchar);
            writer.Write(l.SampleNote, NpgsqlDbType.Text);
            writer.Write(l.SampleCheckedBy, NpgsqlDbType.Text);
            writer.Write(l.SampleCheckedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            writer.Write(l.IdAreaCode, NpgsqlDbType.Varchar);
            writer.Write(l.IdBirthDate, NpgsqlDbType.Date);
            writer.Write(l.IdIsMale, NpgsqlDbType.Boolean);
        }
        return await writer.CompleteAsync(ct);
    }

    private static NpgsqlConnection OpenConnection(OneCardDbContext db)
    {
        if (!db.IsPostgres)
            throw new NotSupportedException("The roster bulk store needs PostgreSQL; use the EF path on SQLite.");
        // Outside a transaction each COPY would commit on its own and a failure could leave half a roster.
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The roster bulk store writes only inside the caller's transaction.");
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }

    private static void EnsureMatchesModel(OneCardDbContext db, Type entity, string[] columns)
    {
        var type = db.Model.FindEntityType(entity) ?? throw new InvalidOperationException($"{entity.Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var mapped = type.GetProperties().Select(p => p.GetColumnName(table)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (!mapped.SetEquals(columns))
            throw new InvalidOperationException(
                $"RosterStore's columns for {entity.Name} differ from the EF model: missing [{string.Join(", ", mapped.Except(columns))}], " +
                $"unknown [{string.Join(", ", columns.Except(mapped))}].");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Quote(string column) => $"\"{column}\"";
}
