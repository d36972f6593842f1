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
    /// The hashes must be distinct (a roster names each person once). The people no stored row knows are copied straight into
    /// <c>Beneficiaries</c>, each row written once; the known ones go through a staging table and <c>INSERT … ON CONFLICT DO
    /// UPDATE</c>, which locks their rows. A person another submission stores between the look-up and the copy makes the copy
    /// wait for that transaction and then fail on the unique index: the copy is rolled back to its savepoint and the whole
    /// chunk goes by the upsert instead, so concurrent submissions naming the same person still serialise and both succeed.
    /// </remarks>
    public static async Task<Dictionary<string, Guid>> UpsertBeneficiariesAsync(
        OneCardDbContext db, IReadOnlyList<Beneficiary> candidates, CancellationToken ct)
    {
        var connection = OpenConnection(db);
        EnsureMatchesModel(db, typeof(Beneficiary), BeneficiaryColumns);
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using (var probe = new NpgsqlCommand("""SELECT "IdNumberHash" FROM "Beneficiaries" WHERE "IdNumberHash" = ANY(@hashes)""", connection))
        {
            probe.Parameters.Add(new NpgsqlParameter<string[]>("hashes", candidates.Select(c => c.IdNumberHash).ToArray()));
            await using var reader = await probe.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) known.Add(reader.GetString(0));
        }

        var ids = new Dictionary<string, Guid>(candidates.Count, StringComparer.Ordinal);
        IReadOnlyList<Beneficiary> upsert = known.Count == 0 ? [] : candidates.Where(c => known.Contains(c.IdNumberHash)).ToList();
        var fresh = known.Count == 0 ? candidates : candidates.Where(c => !known.Contains(c.IdNumberHash)).ToList();
        if (fresh.Count > 0)
        {
            var transaction = db.Database.CurrentTransaction!;
            await transaction.CreateSavepointAsync(FreshSavepoint, ct);
            try
            {
                await CopyBeneficiariesAsync(connection, "\"Beneficiaries\"", fresh, ct);
                await transaction.ReleaseSavepointAsync(FreshSavepoint, ct);
                foreach (var b in fresh) ids[b.IdNumberHash] = b.Id;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await transaction.RollbackToSavepointAsync(FreshSavepoint, ct);
                upsert = candidates;
            }
        }
        if (upsert.Count > 0)
            foreach (var (hash, id) in await UpsertThroughStagingAsync(connection, upsert, ct))
                ids[hash] = id;
        if (ids.Count != candidates.Count)
            throw new InvalidOperationException($"The beneficiary upsert returned {ids.Count} rows for {candidates.Count} candidates; hashes must be distinct.");
        return ids;
    }

    /// <summary>The savepoint around the copy of new people (released when it succeeds).</summary>
    private const string FreshSavepoint = "roster_fresh_beneficiaries";

    private static async Task<List<(string Hash, Guid Id)>> UpsertThroughStagingAsync(NpgsqlConnection connection, IReadOnlyList<Beneficiary> candidates,
        CancellationToken ct)
    {
        // A session-private staging table, gone at the end of the transaction whichever way it ends; a roster stored chunk by
        // chunk reuses it (emptied per chunk) instead of making one per chunk.
        const string staging = "roster_beneficiaries_staging";
        var columns = string.Join(", ", BeneficiaryColumns.Select(Quote));
        await ExecuteAsync(connection,
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE \"Beneficiaries\" INCLUDING DEFAULTS) ON COMMIT DROP; TRUNCATE {staging}", ct);
        await CopyBeneficiariesAsync(connection, staging, candidates, ct);

        var updates = string.Join(", ", BeneficiaryUpdatedColumns.Select(c => $"{Quote(c)} = EXCLUDED.{Quote(c)}"));
        await using var upsert = new NpgsqlCommand(
            $"""
            INSERT INTO "Beneficiaries" ({columns}) SELECT {columns} FROM {staging}
            ON CONFLICT ("IdNumberHash") DO UPDATE SET {updates}
            RETURNING "Id", "IdNumberHash"
            """, connection);
        var ids = new List<(string, Guid)>(candidates.Count);
        await using var reader = await upsert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add((reader.GetString(1), reader.GetGuid(0)));
        return ids;
    }

    private static async Task CopyBeneficiariesAsync(NpgsqlConnection connection, string table, IReadOnlyList<Beneficiary> rows, CancellationToken ct)
    {
        var columns = string.Join(", ", BeneficiaryColumns.Select(Quote));
        await using var writer = await connection.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var b in rows)
        {
            writer.StartRow();
            writer.Write(b.Id, NpgsqlDbType.Uuid);
            writer.Write(b.IdNumberHash, NpgsqlDbType.Text);
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

    /// <summary>Inserts claim lines; their application and beneficiaries must already be written in this transaction.</summary>
    public static async Task<ulong> InsertClaimLinesAsync(OneCardDbContext db, IReadOnlyList<ClaimLine> lines, CancellationToken ct)
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
