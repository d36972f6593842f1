using Npgsql;

namespace OneCard.Host.IntegrationTests.Crash;

/// <summary>
/// The money invariants the crash test checks after every restart, each one SQL query that lists what breaks it (empty =
/// holds). They read the database only, so they hold whatever the killed host was doing: a transaction that did not commit
/// left nothing, one that committed left everything.
/// </summary>
public sealed class CrashLedger(string connectionString)
{
    /// <summary>A named invariant and the query listing its violations, one text row each.</summary>
    public sealed record Invariant(string Name, string Sql);

    public static readonly IReadOnlyList<Invariant> Invariants =
    [
        // 多发/重发: at most one instruction per beneficiary, policy and period that is paid or may still be paid.
        new("no beneficiary paid twice per policy and period", """
            SELECT "BeneficiaryId" || ' ' || "PolicyCode" || ' ' || "Period" || ': ' || count(*) || ' instructions not failed'
            FROM "PaymentInstructions" WHERE "Status" <> 'Failed'
            GROUP BY "BeneficiaryId", "PolicyCode", "Period" HAVING count(*) > 1
            """),
        // 漏发: once finance approved (the case is in Payment or beyond), every approved line has an instruction or a final state.
        new("every approved line is terminal or has a pending instruction", """
            SELECT 'line ' || l."Id" || ' of ' || l."ApplicationId" || ' is ' || l."Outcome" || ' in step ' || w."Step"
                   || ' with instructions [' || coalesce((SELECT string_agg(p."Status", ',') FROM "PaymentInstructions" p WHERE p."ClaimLineId" = l."Id"), '') || ']'
            FROM "ClaimLines" l JOIN "WorkflowInstances" w ON w."SubjectKind" = 'Application' AND w."SubjectId" = l."ApplicationId"
            WHERE w."Step" IN ('Payment', 'Publicized')
              AND NOT (
                   (l."Outcome" IN ('Rejected', 'Ineligible') AND l."ReasonZh" IS NOT NULL)
                OR (l."Outcome" = 'Instructed' AND EXISTS (SELECT 1 FROM "PaymentInstructions" p WHERE p."ClaimLineId" = l."Id" AND p."Status" = 'Pending'))
                OR (l."Outcome" = 'Paid' AND EXISTS (SELECT 1 FROM "PaymentInstructions" p WHERE p."ClaimLineId" = l."Id" AND p."Status" = 'Succeeded'))
                OR (l."Outcome" = 'Failed' AND l."ReasonZh" IS NOT NULL
                    AND EXISTS (SELECT 1 FROM "PaymentInstructions" p WHERE p."ClaimLineId" = l."Id" AND p."Status" = 'Failed')))
            """),
        // A result recorded on an instruction is recorded on its line too (the import moves both in one transaction).
        new("every instruction's result is its line's outcome", """
            SELECT 'instruction ' || p."Id" || ' is ' || p."Status" || ' but its line is ' || l."Outcome"
            FROM "PaymentInstructions" p JOIN "ClaimLines" l ON l."Id" = p."ClaimLineId"
            WHERE (p."Status" = 'Succeeded' AND l."Outcome" <> 'Paid') OR (p."Status" = 'Failed' AND l."Outcome" NOT IN ('Failed', 'Instructed', 'Paid'))
               OR (p."Status" = 'Pending' AND l."Outcome" <> 'Instructed')
            """),
        // Instructed = paid + failed + pending, in count and amount, and the batch's status says whether anything is pending.
        new("every batch's totals balance", """
            SELECT b."BatchNo" || ': ' || b."LineCount" || ' lines ' || b."TotalAmount" || ' instructed, '
                   || count(p."Id") || ' lines ' || coalesce(sum(p."Amount"), 0) || ' in instructions, paid ' || count(p."Id") FILTER (WHERE p."Status" = 'Succeeded')
                   || ' failed ' || count(p."Id") FILTER (WHERE p."Status" = 'Failed') || ' pending ' || count(p."Id") FILTER (WHERE p."Status" = 'Pending')
                   || ', status ' || b."Status" || ', reconciled at ' || coalesce(b."ReconciledAt"::text, '-')
            FROM "PaymentBatches" b LEFT JOIN "PaymentInstructions" p ON p."BatchId" = b."Id"
            GROUP BY b."Id"
            HAVING b."LineCount" <> count(p."Id") OR b."TotalAmount" <> coalesce(sum(p."Amount"), 0)
                OR count(p."Id") <> count(p."Id") FILTER (WHERE p."Status" IN ('Succeeded', 'Failed', 'Pending'))
                OR b."TotalAmount" <> coalesce(sum(p."Amount") FILTER (WHERE p."Status" = 'Succeeded'), 0)
                                    + coalesce(sum(p."Amount") FILTER (WHERE p."Status" = 'Failed'), 0)
                                    + coalesce(sum(p."Amount") FILTER (WHERE p."Status" = 'Pending'), 0)
                OR (b."Status" = 'Reconciled') <> (count(p."Id") FILTER (WHERE p."Status" = 'Pending') = 0)
                OR (b."Status" = 'Reconciled') <> (b."ReconciledAt" IS NOT NULL)
            """),
        // Every batch runs as its own case, exactly one, whose step agrees with the batch.
        new("every batch has its case", """
            SELECT b."BatchNo" || ' (' || b."Status" || ') has ' || count(w."Id") || ' cases in [' || coalesce(string_agg(w."Step", ','), '') || ']'
            FROM "PaymentBatches" b LEFT JOIN "WorkflowInstances" w ON w."SubjectKind" = 'PaymentBatch' AND w."SubjectId" = b."Id"
            GROUP BY b."Id"
            HAVING count(w."Id") <> 1 OR (b."Status" = 'Reconciled') <> bool_and(w."Step" = 'Reconciled')
            """),
        new("every batch case has its batch", """
            SELECT 'case ' || w."Id" || ' of batch ' || w."SubjectId" || ' without its batch'
            FROM "WorkflowInstances" w WHERE w."SubjectKind" = 'PaymentBatch' AND NOT EXISTS (SELECT 1 FROM "PaymentBatches" b WHERE b."Id" = w."SubjectId")
            """),
        // The application's case leaves Payment exactly when nothing of it is pending any more (and never stays behind).
        new("every paid case moved on and no case moved on early", """
            SELECT 'application ' || w."SubjectId" || ' in ' || w."Step" || ' with ' || count(p."Id") FILTER (WHERE p."Status" = 'Pending') || ' pending of ' || count(p."Id")
            FROM "WorkflowInstances" w
            LEFT JOIN "PaymentBatches" b ON b."ApplicationId" = w."SubjectId"
            LEFT JOIN "PaymentInstructions" p ON p."BatchId" = b."Id"
            WHERE w."SubjectKind" = 'Application' AND w."Step" IN ('Payment', 'Publicized')
            GROUP BY w."Id"
            HAVING (w."Step" = 'Publicized') <> (count(p."Id") > 0 AND count(p."Id") FILTER (WHERE p."Status" = 'Pending') = 0)
            """),
        // One effect per request: one recheck approval per case, one first batch per case and bank, one applying import per batch.
        new("finance approved each case once", """
            SELECT 'application ' || w."SubjectId" || ' approved at FinanceRecheck ' || count(*) || ' times'
            FROM "WorkflowEvents" e JOIN "WorkflowInstances" w ON w."Id" = e."InstanceId"
            WHERE w."SubjectKind" = 'Application' AND e."FromStep" = 'FinanceRecheck' AND e."Action" = 'Approve'
            GROUP BY w."Id" HAVING count(*) > 1
            """),
        new("one first batch per case and bank", """
            SELECT 'application ' || "ApplicationId" || ' has ' || count(*) || ' first batches to ' || "AgentBankCode"
            FROM "PaymentBatches" WHERE "Kind" = 'First' GROUP BY "ApplicationId", "AgentBankCode" HAVING count(*) > 1
            """),
        new("each batch created once", """
            SELECT 'batch ' || b."BatchNo" || ' has ' || (SELECT count(*) FROM "AuditLog" a WHERE a."Action" = 'PaymentBatchCreated' AND a."EntityId" = b."Id"::text) || ' creation entries'
            FROM "PaymentBatches" b
            WHERE (SELECT count(*) FROM "AuditLog" a WHERE a."Action" = 'PaymentBatchCreated' AND a."EntityId" = b."Id"::text) <> 1
            """),
        // The test's result files are whole (every line once): a batch's results are applied by exactly one import, audited once.
        new("each batch's results applied once", """
            SELECT b."BatchNo" || ': ' || (SELECT count(*) FROM "BankResultImports" i WHERE i."BatchId" = b."Id" AND i."Applied" > 0) || ' applying imports, '
                   || (SELECT count(*) FROM "AuditLog" a WHERE a."Action" = 'BankResultsImported' AND a."EntityId" = b."Id"::text) || ' import audit entries'
            FROM "PaymentBatches" b
            WHERE (SELECT count(*) FROM "BankResultImports" i WHERE i."BatchId" = b."Id" AND i."Applied" > 0) <> (CASE WHEN b."Status" = 'Reconciled' THEN 1 ELSE 0 END)
               OR (SELECT count(*) FROM "AuditLog" a WHERE a."Action" = 'BankResultsImported' AND a."EntityId" = b."Id"::text) <> (CASE WHEN b."Status" = 'Reconciled' THEN 1 ELSE 0 END)
            """),
        // Budget indicators: a batch's net allocation (Allocate − Return entries) is its total once released, what the bank paid
        // once reconciled, and all or nothing while it is still allocating; no indicator is drawn beyond its amount.
        new("every batch's indicator allocation equals its payments", """
            SELECT b."BatchNo" || ' (' || b."Status" || '): net allocation ' || coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0)
                   || ', total ' || b."TotalAmount"
            FROM "PaymentBatches" b LEFT JOIN "IndicatorEntries" e ON e."BatchId" = b."Id"
            GROUP BY b."Id"
            HAVING (b."Status" = 'Instructed' AND coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0) <> b."TotalAmount")
                OR (b."Status" = 'Reconciled' AND coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0)
                    <> (SELECT coalesce(sum(p."Amount"), 0) FROM "PaymentInstructions" p WHERE p."BatchId" = b."Id" AND p."Status" = 'Succeeded'))
                OR (b."Status" = 'Allocating' AND coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0) NOT IN (0, b."TotalAmount"))
            """),
        new("no indicator drawn beyond its amount", """
            SELECT i."DocumentNo" || ': amount ' || i."Amount" || ', net allocated ' || coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0)
            FROM "BudgetIndicators" i LEFT JOIN "IndicatorEntries" e ON e."IndicatorId" = i."Id"
            GROUP BY i."Id"
            HAVING coalesce(sum(CASE e."Kind" WHEN 'Allocate' THEN e."Amount" ELSE -e."Amount" END), 0) NOT BETWEEN 0 AND i."Amount"
            """),
    ];

    /// <summary>Every violated invariant with up to five of its violations; empty when all hold.</summary>
    public async Task<List<string>> ViolationsAsync()
    {
        var found = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var invariant in Invariants)
        {
            var rows = new List<string>();
            await using (var command = new NpgsqlCommand(invariant.Sql, connection))
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "(null)" : reader.GetString(0));
            if (rows.Count > 0) found.Add($"{invariant.Name}: {rows.Count} violation(s): {string.Join("; ", rows.Take(5))}");
        }
        return found;
    }

    /// <summary>What the test has produced so far: batches, instructions by status, applying imports.</summary>
    public async Task<string> TotalsAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM "PaymentBatches") || ' batches, '
                || (SELECT count(*) FROM "PaymentInstructions" WHERE "Status" = 'Succeeded') || ' paid, '
                || (SELECT count(*) FROM "PaymentInstructions" WHERE "Status" = 'Failed') || ' failed, '
                || (SELECT count(*) FROM "PaymentInstructions" WHERE "Status" = 'Pending') || ' pending instructions, '
                || (SELECT count(*) FROM "BankResultImports") || ' imports recorded'
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The step of each application's case.</summary>
    public async Task<Dictionary<Guid, string>> StepsAsync(IEnumerable<Guid> applications)
    {
        var steps = new Dictionary<Guid, string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "SubjectId", "Step" FROM "WorkflowInstances" WHERE "SubjectKind" = 'Application' AND "SubjectId" = ANY(@ids)""", connection);
        command.Parameters.AddWithValue("ids", applications.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) steps[reader.GetGuid(0)] = reader.GetString(1);
        return steps;
    }
}
