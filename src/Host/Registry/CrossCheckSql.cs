using System.Globalization;
using OneCard.Domain.Regions;
using OneCard.Domain.Registry;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Registry;

/// <summary>
/// The SQL of each cross-check: a candidate query (one row per flagged line, the best evidence first) and the
/// <c>INSERT … SELECT … ON CONFLICT ("ClaimLineId","Check") DO NOTHING</c> that stores it. Written once for both providers:
/// only a new id, a typed null, and the way a count of matches comes back differ.
/// </summary>
/// <remarks>
/// Parameters: <c>@app</c> (application), <c>@run</c>, <c>@now</c>, <c>@township</c> (the application's township code),
/// <c>@first</c>/<c>@last</c> (the period's first and last day), <c>@p0…</c> (the policies an ExclusivePolicy check excludes),
/// <c>@sDeaths0…</c>, <c>@sHouseholdRegistry0…</c> and so on (the ids of the snapshots of each kind the run reads).
/// </remarks>
internal sealed class CrossCheckSql(bool postgres, IReadOnlyDictionary<ReferenceKind, IReadOnlyList<Guid>> snapshots)
{
    public object Id(Guid id) => postgres ? id : id.ToString().ToUpperInvariant();

    public object Instant(DateTimeOffset at) => postgres ? at.ToUniversalTime() : at.UtcTicks;

    public object Date(DateOnly day) => postgres ? day : day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string NewId => postgres
        ? "gen_random_uuid()"
        : "upper(hex(randomblob(4))) || '-' || upper(hex(randomblob(2))) || '-4' || substr(upper(hex(randomblob(2))), 2) || '-' "
          + "|| substr('89AB', 1 + (abs(random()) % 4), 1) || substr(upper(hex(randomblob(2))), 2) || '-' || upper(hex(randomblob(6)))";

    /// <summary>A region code as its name, the way RegionDirectory.FullName writes it (county and township, from the seeded
    /// <c>Regions</c> table the directory is loaded from); the code itself when it is not a known region.</summary>
    private static string RegionName(string code) =>
        $"COALESCE((SELECT COALESCE(pr.\"Name\" || ' ', '') || rg.\"Name\" FROM \"Regions\" rg LEFT JOIN \"Regions\" pr ON pr.\"Code\" = rg.\"ParentCode\" AND pr.\"Level\" NOT IN ('Province', 'City') WHERE rg.\"Code\" = {code}), {code})";

    private string NullId => postgres ? "CAST(NULL AS uuid)" : "CAST(NULL AS TEXT)";

    /// <summary>The insert; on PostgreSQL it also returns (matches, inserted) in one statement.</summary>
    public string Insert(CrossCheckConfig check)
    {
        var candidates = Candidates(check);
        var insert = $"""
            INSERT INTO "CrossCheckHits" ("Id", "ApplicationId", "ClaimLineId", "LineNo", "RegionCode", "PolicyCode", "Period", "Check",
                "SnapshotId", "SnapshotRowNo", "OtherClaimLineId", "ReasonZh", "ReasonEn", "RunId", "FoundAt", "Decision")
            SELECT {NewId}, @app, c."LineId", c."LineNo", c."RegionCode", c."PolicyCode", c."Period", '{check.Check}',
                c."SnapshotId", c."RowNo", c."OtherLineId", c."ReasonZh", c."ReasonEn", @run, @now, 'Pending'
            FROM {(postgres ? "c" : $"({candidates}) c")} WHERE 1 = 1
            ON CONFLICT ("ClaimLineId", "Check") DO NOTHING
            """;
        return postgres
            ? $"""
              WITH c AS ({candidates}),
              ins AS ({insert} RETURNING 1)
              SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM ins)
              """
            : insert;
    }

    /// <summary>How many lines the check matches (SQLite; PostgreSQL counts in <see cref="Insert"/>).</summary>
    public string? Count(CrossCheckConfig check) => postgres ? null : $"SELECT count(*) FROM ({Candidates(check)}) c";

    // The application's lines still payable or undecided, with the person's blind index.
    private const string LinesSelect = """
        SELECT cl."Id" AS "LineId", cl."LineNo" AS "LineNo", cl."RegionCode" AS "RegionCode", cl."PolicyCode" AS "PolicyCode",
               cl."Period" AS "Period", cl."BeneficiaryId" AS "BeneficiaryId", b."IdNumberHash" AS "IdNumberHash"
        FROM "ClaimLines" cl JOIN "Beneficiaries" b ON b."Id" = cl."BeneficiaryId"
        """;

    private const string LinesQuery = LinesSelect + "\n" + """
        WHERE cl."ApplicationId" = @app AND cl."Outcome" IN ('Eligible', 'Faulted')
        """;

    /// <summary>The temporary table of <see cref="LinesQuery"/> on PostgreSQL (dropped at commit).</summary>
    private const string LinesTable = "cross_check_lines";

    /// <summary>
    /// PostgreSQL: the application's lines with their blind index, gathered once for all checks of a run and analysed (see
    /// <see cref="CrossChecks.RunAsync"/>). Each check used to read the lines and look every person up again, and at a million
    /// lines the planner, taking a line's region test against a snapshot for a selective join, joined lines to snapshots first
    /// and looked each person up once per snapshot (bench/REGISTRY.md, the cross-checks' plans). Null on SQLite.
    /// </summary>
    public string? GatherLines => postgres
        // The columns' types from the query itself (CREATE TABLE AS takes no parameters, so the rows come by INSERT).
        ? $"DROP TABLE IF EXISTS {LinesTable}; CREATE TEMP TABLE {LinesTable} ON COMMIT DROP AS {LinesSelect} WHERE FALSE; "
          + $"INSERT INTO {LinesTable} {LinesQuery}; ANALYZE {LinesTable}"
        : null;

    // What each check reads as its lines `l`.
    private string Lines => postgres ? LinesTable : $"({LinesQuery})";

    /// <summary>
    /// The significant digits of a snapshot's region, as <c>RegionScope.For</c> gives them: the import stores a directory code
    /// (province <c>210000</c> → <c>21</c>, city <c>210100</c> → <c>2101</c>, county and township as they are); a code already
    /// in prefix form stays as it is.
    /// </summary>
    public static string Prefix(string regionCode) =>
        regionCode.Length == 6 && regionCode.All(char.IsAsciiDigit) ? RegionScope.For(regionCode).Prefix : regionCode;

    // The same in SQL, over a snapshot row.
    private static string PrefixSql(string s) => $"""
        (CASE WHEN length({s}."RegionCode") = 6 AND substr({s}."RegionCode", 3, 4) = '0000' THEN substr({s}."RegionCode", 1, 2)
              WHEN length({s}."RegionCode") = 6 AND substr({s}."RegionCode", 5, 2) = '00' THEN substr({s}."RegionCode", 1, 4)
              ELSE {s}."RegionCode" END)
        """;

    // A current snapshot whose region covers the line: its region's significant digits are a prefix of the line's region code.
    private static string Covers(string s, string l) =>
        $"""{s}."ReplacedBy" IS NULL AND substr({l}."RegionCode", 1, length({PrefixSql(s)})) = {PrefixSql(s)} """;

    // The evidence of a snapshot row, as the reviewer reads it: 死亡火化数据（辽宁省民政厅，截至2026-11-30）第17行：
    private static string SourceZh(string s, string r) => $"""
        CASE {s}."Kind" WHEN 'Deaths' THEN '死亡火化数据' WHEN 'HouseholdRegistry' THEN '户籍数据' WHEN 'StateFunded' THEN '财政供养人员数据'
            WHEN 'PolicyRecipients' THEN '其他政策享受人员数据' ELSE '一卡通账户开户数据' END
        || '（' || {s}."Source" || '，截至' || CAST({s}."AsOf" AS TEXT) || '）第' || CAST({r}."RowNo" AS TEXT) || '行：'
        """;

    private static string SourceEn(string s, string r) => $"""
        CASE {s}."Kind" WHEN 'Deaths' THEN 'Deaths data' WHEN 'HouseholdRegistry' THEN 'Household registry' WHEN 'StateFunded' THEN 'State-funded staff'
            WHEN 'PolicyRecipients' THEN 'Other policy recipients' ELSE 'Account holders' END
        || ' (' || {s}."Source" || ', as of ' || CAST({s}."AsOf" AS TEXT) || ') row ' || CAST({r}."RowNo" AS TEXT) || ': '
        """;

    // A OneCard line that counts as received: paid or being paid, or still payable in a case that has not ended
    // (a case rejected or withdrawn ends with its lines unpaid; it no longer claims anything).
    private static string Live(string o, string a) => $"""
        ({o}."Outcome" IN ('Instructed', 'Paid', 'Failed')
         OR ({o}."Outcome" IN ('Eligible', 'Faulted') AND NOT EXISTS (SELECT 1 FROM "WorkflowInstances" w
             WHERE w."SubjectKind" = 'Application' AND w."SubjectId" = {a}."Id" AND w."IsFinal" = TRUE)))
        """;

    // Periods overlap when one is a prefix of the other: 2026 and 2026-05, 2026-05 and 2026-05.
    private static string Overlap(string x, string y) => $"(substr({x}, 1, length({y})) = {y} OR substr({y}, 1, length({x})) = {x})";

    // Keeps one candidate per line: the first by the ranking given.
    private static string FirstPerLine(string union, string orderBy) => $"""
        SELECT u."LineId", u."LineNo", u."RegionCode", u."PolicyCode", u."Period", u."SnapshotId", u."RowNo", u."OtherLineId", u."ReasonZh", u."ReasonEn"
        FROM (SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v."LineId" ORDER BY {orderBy}) AS rn FROM ({union}) v) u
        WHERE u.rn = 1
        """;

    private static string LineColumns(string l) => $"""{l}."LineId", {l}."LineNo", {l}."RegionCode", {l}."PolicyCode", {l}."Period" """;

    /// <summary>
    /// The line's records in the current snapshots of <paramref name="kind"/> the run reads, as one row per line and record
    /// (the line's columns, then the record's, its own region, policy and period renamed), with <paramref name="where"/>'s
    /// conditions on <c>l</c> and <c>r</c>; a SELECT to be put in parentheses as a FROM item, or joined by <see cref="Union"/>.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL behind an <c>OFFSET 0</c> fence, so the records are matched to the lines before the snapshots are joined:
    /// the planner takes a line's region test against a snapshot for a selective join and, given the chance, joins every line to
    /// every snapshot first and looks the person up once per pair (bench/REGISTRY.md, the cross-checks' plans). Inside the fence
    /// it sees the lines' true count and the records' own statistics (a registry's deceased are few), and chooses its join on them.
    /// </remarks>
    private string Records(ReferenceKind kind, string where) => $"""
        SELECT l."LineId", l."LineNo", l."RegionCode", l."PolicyCode", l."Period", l."IdNumberHash",
               r."SnapshotId", r."RowNo", r."EventDate", r."EndDate", r."Alive", r."Detail",
               r."RegionCode" AS "RecordRegionCode", r."PolicyCode" AS "RecordPolicyCode", r."Period" AS "RecordPeriod"
        FROM {Lines} l JOIN "ReferenceRecords" r ON r."IdNumberHash" = l."IdNumberHash"
        WHERE {SnapshotIn(kind)} {where}{(postgres ? "\nOFFSET 0" : "")}
        """;

    // PostgreSQL needs each fenced branch in parentheses; SQLite refuses parentheses around a compound SELECT's members.
    private string Union(params string[] selects) =>
        string.Join("\nUNION ALL\n", postgres ? selects.Select(s => $"({s})") : selects);

    // The record's snapshot is one the run reads of this kind (nothing matches when there is none).
    private string SnapshotIn(ReferenceKind kind) =>
        snapshots.TryGetValue(kind, out var ids) && ids.Count > 0
            ? $"""r."SnapshotId" IN ({string.Join(", ", ids.Select((_, i) => $"@s{kind}{i}"))})"""
            : "1 = 0";

    /// <summary>The snapshot ids as the parameters <see cref="Records"/> names them.</summary>
    public IEnumerable<KeyValuePair<string, object>> SnapshotParameters() =>
        snapshots.SelectMany(k => k.Value.Select((id, i) => new KeyValuePair<string, object>($"s{k.Key}{i}", Id(id))));

    private string Candidates(CrossCheckConfig check) => check.Check switch
    {
        CrossCheckKind.Deceased => FirstPerLine($"""
            SELECT {LineColumns("m")}, s."Id" AS "SnapshotId", m."RowNo" AS "RowNo", {NullId} AS "OtherLineId",
                {SourceZh("s", "m")} || CASE WHEN s."Kind" = 'Deaths' THEN COALESCE(CAST(m."EventDate" AS TEXT), '日期不详') || ' 死亡，早于期次结束'
                                          ELSE '户籍状态为已死亡（注销）' END AS "ReasonZh",
                {SourceEn("s", "m")} || CASE WHEN s."Kind" = 'Deaths' THEN 'died ' || COALESCE(CAST(m."EventDate" AS TEXT), 'on an unknown date') || ', before the end of the period'
                                          ELSE 'registered as deceased' END AS "ReasonEn",
                CASE WHEN s."Kind" = 'Deaths' THEN 0 ELSE 1 END AS k1, COALESCE(CAST(m."EventDate" AS TEXT), '') AS k2, m."RowNo" AS k3
            FROM ({Union(Records(ReferenceKind.Deaths, """AND (r."EventDate" IS NULL OR r."EventDate" <= @last)"""),
                         Records(ReferenceKind.HouseholdRegistry, """AND r."Alive" = FALSE"""))}) m
            JOIN "ReferenceSnapshots" s ON s."Id" = m."SnapshotId"
            WHERE {Covers("s", "m")}
            """, "v.k1, v.k2, v.k3"),

        // Registered (户籍) outside the line's county (the first 6 digits of its region code) in a current registry covering
        // the line, and not registered inside it in any: a person absent from the registry is not flagged (a snapshot may be partial).
        CrossCheckKind.NotResident => FirstPerLine($"""
            SELECT {LineColumns("m")}, s."Id" AS "SnapshotId", m."RowNo" AS "RowNo", {NullId} AS "OtherLineId",
                {SourceZh("s", "m")} || '户籍登记在 ' || m."RecordRegionCode" || '，不在本县（' || substr(m."RegionCode", 1, 6) || '）' AS "ReasonZh",
                {SourceEn("s", "m")} || 'registered in ' || m."RecordRegionCode" || ', outside the county ' || substr(m."RegionCode", 1, 6) AS "ReasonEn",
                0 AS k1, '' AS k2, m."RowNo" AS k3
            FROM ({Records(ReferenceKind.HouseholdRegistry, """AND r."RegionCode" IS NOT NULL AND substr(r."RegionCode", 1, 6) <> substr(l."RegionCode", 1, 6)""")}) m
            JOIN "ReferenceSnapshots" s ON s."Id" = m."SnapshotId"
            WHERE {Covers("s", "m")}
              AND NOT EXISTS (SELECT 1 FROM "ReferenceRecords" r2 JOIN "ReferenceSnapshots" s2 ON s2."Id" = r2."SnapshotId"
                  WHERE r2."IdNumberHash" = m."IdNumberHash" AND s2."Kind" = 'HouseholdRegistry' AND {Covers("s2", "m")}
                    AND substr(r2."RegionCode", 1, 6) = substr(m."RegionCode", 1, 6))
            """, "v.k1, v.k2, v.k3"),

        // Another township's OneCard line of the same policy and period (a re-submission in the same township is not this check's),
        // or a recipients snapshot row of the same policy and period paid outside this township.
        CrossCheckKind.ClaimedElsewhere => FirstPerLine($"""
            SELECT {LineColumns("l")}, {NullId} AS "SnapshotId", CAST(NULL AS INTEGER) AS "RowNo", o."Id" AS "OtherLineId",
                '同一政策同一期次已在其他乡镇（' || {RegionName("a.\"RegionCode\"")} || '）申报：申报编号 ' || a."Number" || ' 第' || CAST(o."LineNo" AS TEXT) || '行' AS "ReasonZh",
                'Claimed for the same policy and period in another township (' || a."RegionCode" || '): application ' || a."Number" || ' line ' || CAST(o."LineNo" AS TEXT) AS "ReasonEn",
                0 AS k1, a."Number" AS k2, o."LineNo" AS k3
            FROM {Lines} l
            JOIN "ClaimLines" o ON o."BeneficiaryId" = l."BeneficiaryId" AND o."PolicyCode" = l."PolicyCode" AND o."Period" = l."Period"
            JOIN "Applications" a ON a."Id" = o."ApplicationId"
            WHERE o."ApplicationId" <> @app AND a."RegionCode" <> @township AND {Live("o", "a")}
            UNION ALL
            SELECT {LineColumns("m")}, s."Id", m."RowNo", {NullId},
                {SourceZh("s", "m")} || '已在 ' || {RegionName("COALESCE(m.\"RecordRegionCode\", s.\"RegionCode\")")} || ' 享受同一政策同一期次（' || m."RecordPeriod" || '）',
                {SourceEn("s", "m")} || 'received the same policy for the same period (' || m."RecordPeriod" || ') in ' || COALESCE(m."RecordRegionCode", s."RegionCode"),
                1, CAST(s."AsOf" AS TEXT), m."RowNo"
            FROM ({Records(ReferenceKind.PolicyRecipients, """AND r."Period" = l."Period" """)}) m
            JOIN "ReferenceSnapshots" s ON s."Id" = m."SnapshotId"
            WHERE s."Kind" = 'PolicyRecipients' AND s."ReplacedBy" IS NULL
              AND COALESCE(m."RecordPolicyCode", NULLIF(s."PolicyCode", '')) = m."PolicyCode"
              AND substr(COALESCE(m."RecordRegionCode", s."RegionCode"), 1, length(@township)) <> @township
            """, "v.k1, v.k2, v.k3"),

        // Employed (in a current state-funded snapshot covering the line) on some day of the period.
        CrossCheckKind.StateFunded => FirstPerLine($"""
            SELECT {LineColumns("m")}, s."Id" AS "SnapshotId", m."RowNo" AS "RowNo", {NullId} AS "OtherLineId",
                {SourceZh("s", "m")} || COALESCE(m."Detail", '财政供养人员') || '，' || COALESCE(CAST(m."EventDate" AS TEXT), '起始日期不详') || ' 起在编'
                    || CASE WHEN m."EndDate" IS NULL THEN '' ELSE '至 ' || CAST(m."EndDate" AS TEXT) END || '，与期次重叠' AS "ReasonZh",
                {SourceEn("s", "m")} || COALESCE(m."Detail", 'state-funded staff') || ', employed from ' || COALESCE(CAST(m."EventDate" AS TEXT), 'an unknown date')
                    || CASE WHEN m."EndDate" IS NULL THEN '' ELSE ' to ' || CAST(m."EndDate" AS TEXT) END || ', within the period' AS "ReasonEn",
                0 AS k1, COALESCE(CAST(m."EventDate" AS TEXT), '') AS k2, m."RowNo" AS k3
            FROM ({Records(ReferenceKind.StateFunded, """AND (r."EventDate" IS NULL OR r."EventDate" <= @last) AND (r."EndDate" IS NULL OR r."EndDate" >= @first)""")}) m
            JOIN "ReferenceSnapshots" s ON s."Id" = m."SnapshotId"
            WHERE s."Kind" = 'StateFunded' AND {Covers("s", "m")}
            """, "v.k1, v.k2, v.k3"),

        // A listed policy received in an overlapping period: a OneCard line anywhere, or a recipients snapshot row.
        CrossCheckKind.ExclusivePolicy => FirstPerLine($"""
            SELECT {LineColumns("l")}, {NullId} AS "SnapshotId", CAST(NULL AS INTEGER) AS "RowNo", o."Id" AS "OtherLineId",
                '同期享受互斥政策 ' || o."PolicyCode" || '（' || o."Period" || '）：申报编号 ' || a."Number" || ' 第' || CAST(o."LineNo" AS TEXT) || '行' AS "ReasonZh",
                'Receives the exclusive policy ' || o."PolicyCode" || ' (' || o."Period" || '): application ' || a."Number" || ' line ' || CAST(o."LineNo" AS TEXT) AS "ReasonEn",
                0 AS k1, a."Number" AS k2, o."LineNo" AS k3
            FROM {Lines} l
            JOIN "ClaimLines" o ON o."BeneficiaryId" = l."BeneficiaryId"
            JOIN "Applications" a ON a."Id" = o."ApplicationId"
            WHERE o."PolicyCode" IN ({PolicyList(check)}) AND {Overlap("o.\"Period\"", "l.\"Period\"")} AND {Live("o", "a")}
            UNION ALL
            SELECT {LineColumns("m")}, s."Id", m."RowNo", {NullId},
                {SourceZh("s", "m")} || '同期享受互斥政策 ' || COALESCE(m."RecordPolicyCode", NULLIF(s."PolicyCode", '')) || COALESCE('（' || m."RecordPeriod" || '）', ''),
                {SourceEn("s", "m")} || 'receives the exclusive policy ' || COALESCE(m."RecordPolicyCode", NULLIF(s."PolicyCode", '')) || COALESCE(' (' || m."RecordPeriod" || ')', ''),
                1, CAST(s."AsOf" AS TEXT), m."RowNo"
            FROM ({Records(ReferenceKind.PolicyRecipients, $"""AND (r."Period" IS NULL OR {Overlap("r.\"Period\"", "l.\"Period\"")})""")}) m
            JOIN "ReferenceSnapshots" s ON s."Id" = m."SnapshotId"
            WHERE s."Kind" = 'PolicyRecipients' AND s."ReplacedBy" IS NULL
              AND COALESCE(m."RecordPolicyCode", NULLIF(s."PolicyCode", '')) IN ({PolicyList(check)})
            """, "v.k1, v.k2, v.k3"),

        // The line's current one-card account is held by someone else in a current account-holders snapshot covering the line
        // (and that snapshot does not also name this person as a holder of it).
        CrossCheckKind.AccountHolderMismatch => FirstPerLine($"""
            SELECT {LineColumns("l")}, s."Id" AS "SnapshotId", r."RowNo" AS "RowNo", {NullId} AS "OtherLineId",
                {SourceZh("s", "r")} || '发放账户（' || ba."AccountMasked" || '）登记的开户人不是本人' || COALESCE('（' || r."Detail" || '）', '') AS "ReasonZh",
                {SourceEn("s", "r")} || 'the payment account (' || ba."AccountMasked" || ') is held by someone else' || COALESCE(' (' || r."Detail" || ')', '') AS "ReasonEn",
                0 AS k1, CAST(s."AsOf" AS TEXT) AS k2, r."RowNo" AS k3
            FROM {Lines} l
            JOIN "BeneficiaryAccounts" ba ON ba."BeneficiaryId" = l."BeneficiaryId" AND ba."ValidTo" IS NULL AND ba."AccountHash" IS NOT NULL
            JOIN "ReferenceRecords" r ON r."AccountHash" = ba."AccountHash" AND r."IdNumberHash" <> l."IdNumberHash"
            JOIN "ReferenceSnapshots" s ON s."Id" = r."SnapshotId"
            WHERE s."Kind" = 'AccountHolders' AND {Covers("s", "l")}
              AND NOT EXISTS (SELECT 1 FROM "ReferenceRecords" r2
                  WHERE r2."SnapshotId" = s."Id" AND r2."AccountHash" = ba."AccountHash" AND r2."IdNumberHash" = l."IdNumberHash")
            """, "v.k1, v.k2, v.k3"),

        _ => throw new ArgumentOutOfRangeException(nameof(check), check.Check, "No SQL for this check."),
    };

    private static string PolicyList(CrossCheckConfig check) => string.Join(", ", check.Policies.Select((_, i) => $"@p{i}"));
}
