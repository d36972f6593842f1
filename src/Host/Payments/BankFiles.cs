using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Payments;

/// <summary>
/// The bank exchange of a payment batch: the instruction file we send (deterministic — the same
/// batch always gives the same bytes and SHA-256) and the result file (回盘) the bank returns.
/// Importing a result file is idempotent; a file that contradicts a recorded result is refused whole.
/// </summary>
public static class BankFiles
{
    public static readonly string[] InstructionHeader = ["批次号", "序号", "户名", "账号", "金额", "补贴项目", "期次"];
    public static readonly string[] ResultHeader = ["批次号", "序号", "金额", "结果", "说明"];

    public sealed record BatchView(Guid Id, string BatchNo, Guid ApplicationId, string AgentBankCode, DateTimeOffset CreatedAt, int LineCount,
        decimal TotalAmount, string Status, int Succeeded, int Failed, int Pending, decimal SucceededAmount, decimal FailedAmount, decimal PendingAmount);
    /// <summary>What an import did; <c>FirstImportedAt</c> is set when the very same file had been imported before (a replay).</summary>
    public sealed record ImportSummary(int Lines, int Applied, int Unchanged, string BatchStatus, string? Step, DateTimeOffset? FirstImportedAt = null);

    public static void MapBankFiles(this RouteGroupBuilder api)
    {
        var finance = api.MapGroup("/payments").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer, Roles.Supervisor));
        finance.MapGet("/batches", async (Guid? applicationId, Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(applicationId, ct)))
            .WithName("ListPaymentBatches").WithSummary("Payment batches with reconciliation totals");
        finance.MapGet("/batches/{id:guid}/bank-file", async (Guid id, Handler handler, CancellationToken ct) =>
        {
            var (name, bytes) = await handler.BankFileAsync(id, ct);
            return TypedResults.File(bytes, "text/csv; charset=utf-8", name);
        }).WithName("DownloadBankFile").WithSummary("The bank instruction file (CSV) of a batch").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
        finance.MapPost("/batches/{id:guid}/results", async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> (Guid id, IFormFile file, Handler handler, CancellationToken ct) =>
        {
            await using var stream = file.OpenReadStream();
            var (summary, errors) = await handler.ImportResultsAsync(id, stream, ct);
            return errors.Count > 0 ? SubmitApplication.LineProblems(errors, rowIsIndex: false) : TypedResults.Ok(summary!);
        }).WithName("ImportBankResults").WithSummary("Upload the bank's result file (CSV)").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer)).DisableAntiforgery();
    }

    /// <summary>The batch use cases; the web UI calls them too.</summary>
    public sealed class Handler(OneCardDbContext db, PersonalDataProtector protector, AuditWriter audit, CaseEngine engine, UserContext user, TimeProvider time)
    {
        public async Task<IReadOnlyList<BatchView>> ListAsync(Guid? applicationId, CancellationToken ct)
        {
            var batches = await db.PaymentBatches.AsNoTracking().Include(b => b.Instructions)
                .Where(b => applicationId == null || b.ApplicationId == applicationId).OrderByDescending(b => b.CreatedAt).Take(200).ToListAsync(ct);
            return batches.Select(View).ToList();
        }

        public static BatchView View(PaymentBatch b)
        {
            decimal Sum(PaymentStatus s) => b.Instructions.Where(i => i.Status == s).Sum(i => i.Amount);
            int Count(PaymentStatus s) => b.Instructions.Count(i => i.Status == s);
            return new BatchView(b.Id, b.BatchNo, b.ApplicationId, b.AgentBankCode, b.CreatedAt, b.LineCount, b.TotalAmount, b.Status.ToString(),
                Count(PaymentStatus.Succeeded), Count(PaymentStatus.Failed), Count(PaymentStatus.Pending),
                Sum(PaymentStatus.Succeeded), Sum(PaymentStatus.Failed), Sum(PaymentStatus.Pending));
        }

        public async Task<(string Name, byte[] Bytes)> BankFileAsync(Guid batchId, CancellationToken ct)
        {
            var batch = await db.PaymentBatches.AsNoTracking().Include(b => b.Instructions).SingleOrDefaultAsync(b => b.Id == batchId, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            var text = new StringBuilder();
            using (var writer = new StringWriter(text, CultureInfo.InvariantCulture))
            using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\r\n", InjectionOptions = InjectionOptions.Escape }))
            {
                foreach (var h in InstructionHeader) csv.WriteField(h);
                csv.NextRecord();
                foreach (var i in batch.Instructions.OrderBy(i => i.Seq))
                {
                    csv.WriteField(batch.BatchNo);
                    csv.WriteField(i.Seq);
                    csv.WriteField(i.PayeeName);
                    csv.WriteField(protector.Decrypt(i.AccountCipher));
                    csv.WriteField(i.Amount.ToString("0.00", CultureInfo.InvariantCulture));
                    csv.WriteField(i.PolicyCode);
                    csv.WriteField(i.Period);
                    csv.NextRecord();
                }
            }
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await audit.AppendAsync(db, user.ActorId, "BankFileDownloaded", "PaymentBatch", batch.Id.ToString(), batch.RegionCode,
                new { batch.BatchNo, sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), lines = batch.LineCount }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return ($"{batch.BatchNo}.csv", bytes);
        }

        /// <summary>
        /// Imports a result file exactly once. The batch row is locked for the transaction, so concurrent
        /// imports of one batch run in turn and each validates against what the previous one committed:
        /// a replay finds its file recorded (unchanged, no audit), a contradicting file is refused whole.
        /// Each instruction moves only from Pending (a conditional, set-based update), with its claim line.
        /// </summary>
        public async Task<(ImportSummary?, IReadOnlyList<LineError>)> ImportResultsAsync(Guid batchId, Stream content, CancellationToken ct)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, ct);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
            buffer.Position = 0;
            var rows = RosterReader.Read(buffer, "results.csv");

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.LockPaymentBatchAsync(batchId, ct);
            var batch = await db.PaymentBatches.AsNoTracking().Include(b => b.Instructions).SingleOrDefaultAsync(b => b.Id == batchId, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            if (await db.BankResultImports.AsNoTracking().SingleOrDefaultAsync(i => i.BatchId == batchId && i.Sha256 == sha256, ct) is { } first)
                return (new ImportSummary(first.Lines, 0, first.Lines, batch.Status.ToString(), null, first.ImportedAt), []);

            var (parsed, errors) = Parse(batch, rows);
            if (errors.Count > 0) return (null, errors);

            var now = time.GetUtcNow();
            var pending = parsed.Where(p => p.Instruction.Status == PaymentStatus.Pending).ToList();
            if (pending.Count > 0)
            {
                // Lock the case before touching its lines or the audit log, in the order case actions take them
                // (case, lines, audit), so an import and a case action cannot deadlock.
                var instance = await db.WorkflowInstances.SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == batch.ApplicationId, ct);
                await db.LockAsync(instance, ct);
            }
            var applied = await ApplyAsync(batchId, pending, now, ct);
            db.BankResultImports.Add(new BankResultImport
            {
                Id = Guid.CreateVersion7(), BatchId = batchId, Sha256 = sha256, ImportedBy = user.ActorId, ImportedAt = now, Lines = parsed.Count, Applied = applied,
            });
            // A file that only repeats recorded results changes nothing and records no audit entry.
            if (applied == 0)
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return (new ImportSummary(parsed.Count, 0, parsed.Count, batch.Status.ToString(), null), []);
            }
            var reconciled = batch.Instructions.Count(i => i.Status == PaymentStatus.Pending) == applied;
            if (reconciled)
                await db.PaymentBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, PaymentBatchStatus.Reconciled), ct);
            await audit.AppendAsync(db, user.ActorId, "BankResultsImported", "PaymentBatch", batch.Id.ToString(), batch.RegionCode,
                new { batch.BatchNo, lines = parsed.Count, applied, failed = pending.Count(p => p.Status == PaymentStatus.Failed), sha256 }, ct);
            await db.SaveChangesAsync(ct);

            string? step = null;
            if (reconciled)
            {
                await db.PaymentBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.ReconciledAt, now), ct);
                // The batch's own case first, then the application's: whatever each current step lets the system do now
                // (its definition names the way out), or nothing.
                await engine.MoveOnAsSystemAsync(PaymentBatchCases.Subject(batchId), ct);
                await db.SaveChangesAsync(ct);
                step = (await engine.MoveOnAsSystemAsync(CaseSubject.Application(batch.ApplicationId), ct))?.ToStep;
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
            var status = reconciled ? PaymentBatchStatus.Reconciled : batch.Status;
            return (new ImportSummary(parsed.Count, applied, parsed.Count - applied, status.ToString(), step), []);
        }

        private sealed record ParsedResult(PaymentInstruction Instruction, PaymentStatus Status, string? Message);

        /// <summary>Checks every row against the batch as committed now; a contradiction of a recorded result is an error.</summary>
        private static (List<ParsedResult>, List<LineError>) Parse(PaymentBatch batch, IEnumerable<RosterRow> rows)
        {
            var bySeq = batch.Instructions.ToDictionary(i => i.Seq);
            var errors = new List<LineError>();
            var parsed = new List<ParsedResult>();
            var seen = new HashSet<int>();
            foreach (var row in rows)
            {
                string Cell(string name) => row.Cells.TryGetValue(name, out var v) ? v.Trim() : "";
                void Error(string field, string code, string zh, string en) => errors.Add(new LineError(row.Row, field, code, zh, en));
                if (Cell("批次号") != batch.BatchNo) { Error("批次号", "BatchMismatch", $"批次号“{Cell("批次号")}”与本批次 {batch.BatchNo} 不符", "Batch number does not match."); continue; }
                if (!int.TryParse(Cell("序号"), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || !bySeq.TryGetValue(seq, out var instruction))
                { Error("序号", "SeqUnknown", $"序号“{Cell("序号")}”不在本批次中", "No such sequence number in the batch."); continue; }
                if (!seen.Add(seq)) { Error("序号", "SeqDuplicate", $"序号 {seq} 在文件中重复", "Duplicate sequence number in the file."); continue; }
                if (!decimal.TryParse(Cell("金额"), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount != instruction.Amount)
                { Error("金额", "AmountMismatch", $"金额“{Cell("金额")}”与指令金额 {instruction.Amount:0.00} 不符", "Amount does not match the instruction."); continue; }
                PaymentStatus? status = Cell("结果") switch { "成功" => PaymentStatus.Succeeded, "失败" => PaymentStatus.Failed, _ => null };
                if (status is null) { Error("结果", "ResultUnknown", $"结果应为“成功”或“失败”，实为“{Cell("结果")}”", "Result must be 成功 or 失败."); continue; }
                var message = Cell("说明");
                if (status == PaymentStatus.Failed && message.Length == 0) { Error("说明", "FailureReasonMissing", "失败记录须写明原因", "A failed line needs a reason."); continue; }
                if (instruction.Status != PaymentStatus.Pending && instruction.Status != status)
                { Error("结果", "ResultConflict", $"序号 {seq} 已登记为“{(instruction.Status == PaymentStatus.Succeeded ? "成功" : "失败")}”，与本文件矛盾，须人工核查", "Contradicts a recorded result; manual review needed."); continue; }
                parsed.Add(new ParsedResult(instruction, status.Value, message.Length == 0 ? null : message));
            }
            return (parsed, errors);
        }

        /// <summary>
        /// Moves the pending instructions and their claim lines together, set-based: one update per
        /// outcome and bank message. Each update is conditional on the instruction still being Pending;
        /// if any was not (a writer that bypassed the batch lock), the whole import rolls back.
        /// </summary>
        private async Task<int> ApplyAsync(Guid batchId, IReadOnlyList<ParsedResult> pending, DateTimeOffset now, CancellationToken ct)
        {
            var applied = 0;
            foreach (var group in pending.GroupBy(p => (p.Status, p.Message)))
            {
                var (status, message) = group.Key;
                var seqs = group.Select(p => p.Instruction.Seq).ToList();
                var lineIds = group.Select(p => p.Instruction.ClaimLineId).ToList();
                var moved = await db.PaymentInstructions
                    .Where(i => i.BatchId == batchId && seqs.Contains(i.Seq) && i.Status == PaymentStatus.Pending)
                    .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, status).SetProperty(i => i.BankMessage, message).SetProperty(i => i.ResultAt, now), ct);
                if (moved != seqs.Count)
                    throw new OneCardException(ErrorKind.Conflict, "ResultConflict", "支付结果已被同时导入的另一文件登记，请刷新后核对",
                        "Another import recorded these results at the same time; reload and check.");
                if (status == PaymentStatus.Succeeded)
                    await db.ClaimLines.Where(l => lineIds.Contains(l.Id))
                        .ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid), ct);
                else
                    await db.ClaimLines.Where(l => lineIds.Contains(l.Id)).ExecuteUpdateAsync(u => u
                        .SetProperty(l => l.Outcome, LineOutcome.Failed)
                        .SetProperty(l => l.ReasonZh, "银行退票：" + message)
                        .SetProperty(l => l.ReasonEn, "Returned by the bank: " + message), ct);
                applied += moved;
            }
            return applied;
        }
    }
}
