using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
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
/// The bank exchange of a payment batch: the instruction file we send and the result file (回盘) the bank returns, both in
/// the agreement's format (<c>bankformats/</c>) inside the SM4 + HMAC-SM3 envelope (<see cref="BankFileEnvelope"/>) under the
/// agreement's keys. A result file with a bad signature, of another batch, or whose amounts contradict the batch or its own
/// header is refused whole with located reasons; importing is exactly-once (batch lock, the file's SHA-256, conditional
/// set-based updates: COPY into a temporary table and one UPDATE per table on PostgreSQL).
/// </summary>
public static class BankFiles
{
    public sealed record BatchView(Guid Id, string BatchNo, Guid ApplicationId, string AgentBankCode, DateTimeOffset CreatedAt, int LineCount,
        decimal TotalAmount, string Status, int Succeeded, int Failed, int Pending, decimal SucceededAmount, decimal FailedAmount, decimal PendingAmount,
        string RegionCode = "", string Kind = "", DateTimeOffset? ReleasedAt = null, DateTimeOffset? ReconciledAt = null,
        DateTimeOffset? LateSince = null, string? Step = null);

    public sealed record StepView(string FromStep, string Action, string ToStep, string ActorId, DateTimeOffset At, string? Comment);

    /// <summary>A batch with its agreement, its case's steps and the imports of its results.</summary>
    /// <summary>
    /// A batch for its page; <c>PublicationWaiting</c> says its application's publication (公开) is still to come although every
    /// batch of it is reconciled (<see cref="Publication.IsWaitingAsync"/>: a large case's job is running or queued).
    /// </summary>
    public sealed record BatchDetail(BatchView Batch, string? AgreementNo, string? FileFormat, string? FileFormatName, int? KeyVersion,
        IReadOnlyList<StepView> Steps, IReadOnlyList<ImportView> Imports, bool PublicationWaiting = false);

    public sealed record ImportView(DateTimeOffset ImportedAt, string ImportedBy, int Lines, int Applied, string Sha256);

    /// <summary>
    /// What an import did; <c>FirstImportedAt</c> is set when the very same file had been imported before (a replay). <c>Step</c>
    /// is the application's new step if its case moved on now; <c>PublicationQueued</c> says its publication runs as a job
    /// (a case larger than <see cref="Publication.InlineUpTo"/> lines).
    /// </summary>
    public sealed record ImportSummary(int Lines, int Applied, int Unchanged, string BatchStatus, string? Step, DateTimeOffset? FirstImportedAt = null,
        bool PublicationQueued = false);

    /// <summary>At most this many errors are listed; the count says how many there were.</summary>
    public const int ErrorsShown = 200;

    public static void MapBankFiles(this RouteGroupBuilder api)
    {
        var finance = api.MapGroup("/payments").RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer, Roles.Supervisor));
        finance.MapGet("/batches", async (Guid? applicationId, string? bank, string? region, string? status, string? kind, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(new BatchFilter(applicationId, bank, region, status, kind), ct)))
            .WithName("ListPaymentBatches").WithSummary("Payment batches with reconciliation totals (filter by application, bank, region prefix, status, kind)");
        finance.MapGet("/batches/{id:guid}", async (Guid id, Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetPaymentBatch").WithSummary("A payment batch: totals, agreement, the steps of its case, its result imports");
        finance.MapGet("/batches/{id:guid}/bank-file", async (Guid id, Handler handler, CancellationToken ct) =>
        {
            var (name, content) = await handler.BankFileAsync(id, ct);
            return TypedResults.File(content, "application/octet-stream", name);
        }).WithName("DownloadBankFile").WithSummary("The batch's instruction file: the agreement's format, SM4-encrypted, HMAC-SM3-signed (409 BatchNotReleased before release)")
          .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
        finance.MapPost("/batches/{id:guid}/results", async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> (Guid id, IFormFile file, Handler handler, CancellationToken ct) =>
        {
            await using var stream = file.OpenReadStream();
            var (summary, errors) = await handler.ImportResultsAsync(id, stream, ct);
            return errors.Total > 0 ? Refused(errors) : TypedResults.Ok(summary!);
        }).WithName("ImportBankResults").WithSummary("Upload the bank's result file (the same envelope); refused whole with located errors")
          .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer)).DisableAntiforgery()
          .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(512L * 1024 * 1024));
    }

    /// <summary>422: the file is refused whole; the first errors, located, and how many there were.</summary>
    public static ProblemHttpResult Refused(BankFileErrors errors) => TypedResults.Problem(
        title: $"回盘文件被拒收：共{errors.Total}处错误，未登记任何结果",
        detail: string.Join("；", errors.Take(20).Select(Describe)),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = errors.Codes.Count == 1 ? errors[0].Code : "BankResultRefused",
            ["errors"] = errors.Select(e => new { row = e.Row, field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
            ["errorCount"] = errors.Total,
        });

    /// <summary>“第3行【金额】…” or, for the file itself, “文件【签名】…”.</summary>
    public static string Describe(BankFileError e) => (e.Row == 0 ? "文件" : $"第{e.Row}行") + $"【{e.Field}】{e.MessageZh}";

    public sealed record BatchFilter(Guid? ApplicationId = null, string? Bank = null, string? Region = null, string? Status = null, string? Kind = null);

    /// <summary>The batch use cases; the web UI calls them too.</summary>
    public sealed class Handler(OneCardDbContext db, PersonalDataProtector protector, BankFormatCatalog formats, AuditWriter audit, CaseEngine engine,
        UserContext user, TimeProvider time, Publication publication)
    {
        private readonly List<(string Phase, TimeSpan Elapsed)> phases = [];
        private readonly System.Diagnostics.Stopwatch phaseWatch = new();

        /// <summary>Where the last bank file's or import's time went, phase by phase, in order (the benchmark prints it).</summary>
        public IReadOnlyList<(string Phase, TimeSpan Elapsed)> Phases => phases;

        private void Phase(string name)
        {
            phases.Add((name, phaseWatch.Elapsed));
            phaseWatch.Restart();
        }

        public Task<IReadOnlyList<BatchView>> ListAsync(Guid? applicationId, CancellationToken ct) => ListAsync(new BatchFilter(applicationId), ct);

        public async Task<IReadOnlyList<BatchView>> ListAsync(BatchFilter filter, CancellationToken ct)
        {
            var query = db.PaymentBatches.AsNoTracking();
            if (filter.ApplicationId is { } app) query = query.Where(b => b.ApplicationId == app);
            if (!string.IsNullOrWhiteSpace(filter.Bank)) query = query.Where(b => b.AgentBankCode == filter.Bank);
            if (!string.IsNullOrWhiteSpace(filter.Region)) query = query.Where(b => b.RegionCode.StartsWith(filter.Region));
            if (EnumNames.TryParse<PaymentBatchStatus>(filter.Status, out var status)) query = query.Where(b => b.Status == status);
            if (EnumNames.TryParse<PaymentBatchKind>(filter.Kind, out var kind)) query = query.Where(b => b.Kind == kind);
            var batches = await query.OrderByDescending(b => b.CreatedAt).ThenBy(b => b.BatchNo).Take(200).ToListAsync(ct);
            return await ViewsAsync(batches, ct);
        }

        public async Task<BatchDetail> GetAsync(Guid id, CancellationToken ct)
        {
            var batch = await db.PaymentBatches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            var view = (await ViewsAsync([batch], ct)).Single();
            var agreement = batch.AgreementId is { } a ? await db.BankAgreements.AsNoTracking().SingleOrDefaultAsync(x => x.Id == a, ct) : null;
            var format = agreement is not null && formats.Contains(agreement.FileFormat) ? formats.Get(agreement.FileFormat) : null;
            var steps = await db.WorkflowEvents.AsNoTracking()
                .Where(e => db.WorkflowInstances.Any(i => i.Id == e.InstanceId && i.SubjectKind == SubjectKinds.PaymentBatch && i.SubjectId == id))
                .OrderBy(e => e.Seq).Select(e => new StepView(e.FromStep, e.Action, e.ToStep, e.ActorId, e.At, e.Comment)).ToListAsync(ct);
            var imports = (await db.BankResultImports.AsNoTracking().Where(i => i.BatchId == id).ToListAsync(ct))
                .OrderBy(i => i.ImportedAt).Select(i => new ImportView(i.ImportedAt, i.ImportedBy, i.Lines, i.Applied, i.Sha256)).ToList();
            var waiting = batch.Status == PaymentBatchStatus.Reconciled && await publication.IsWaitingAsync(batch.ApplicationId, ct);
            return new BatchDetail(view, agreement?.AgreementNo, agreement?.FileFormat, format?.Name, agreement?.KeyVersion, steps, imports, waiting);
        }

        /// <summary>Each batch with its totals per status (set-based) and its case's step and late mark.</summary>
        private async Task<IReadOnlyList<BatchView>> ViewsAsync(IReadOnlyList<PaymentBatch> batches, CancellationToken ct)
        {
            var ids = batches.Select(b => b.Id).ToList();
            var totals = new Dictionary<(Guid, PaymentStatus), (int Count, decimal Amount)>();
            if (db.IsPostgres)
            {
                var rows = await db.PaymentInstructions.AsNoTracking().Where(i => ids.Contains(i.BatchId))
                    .GroupBy(i => new { i.BatchId, i.Status }).Select(g => new { g.Key.BatchId, g.Key.Status, Count = g.Count(), Amount = g.Sum(i => i.Amount) }).ToListAsync(ct);
                foreach (var r in rows) totals[(r.BatchId, r.Status)] = (r.Count, r.Amount);
            }
            else
            {
                // SQLite stores decimals scaled: sum here (the embedded mode's batches are small).
                var rows = await db.PaymentInstructions.AsNoTracking().Where(i => ids.Contains(i.BatchId)).Select(i => new { i.BatchId, i.Status, i.Amount }).ToListAsync(ct);
                foreach (var g in rows.GroupBy(r => (r.BatchId, r.Status))) totals[g.Key] = (g.Count(), g.Sum(r => r.Amount));
            }
            var cases = await db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectKind == SubjectKinds.PaymentBatch && ids.Contains(i.SubjectId))
                .Select(i => new { i.SubjectId, i.Step, i.StepOverdueAt }).ToListAsync(ct);
            var caseOf = cases.ToDictionary(c => c.SubjectId);
            return batches.Select(b =>
            {
                (int Count, decimal Amount) T(PaymentStatus s) => totals.GetValueOrDefault((b.Id, s));
                var c = caseOf.GetValueOrDefault(b.Id);
                return new BatchView(b.Id, b.BatchNo, b.ApplicationId, b.AgentBankCode, b.CreatedAt, b.LineCount, b.TotalAmount, b.Status.ToString(),
                    T(PaymentStatus.Succeeded).Count, T(PaymentStatus.Failed).Count, T(PaymentStatus.Pending).Count,
                    T(PaymentStatus.Succeeded).Amount, T(PaymentStatus.Failed).Amount, T(PaymentStatus.Pending).Amount,
                    b.RegionCode, b.Kind.ToString(), b.ReleasedAt, b.ReconciledAt, c?.StepOverdueAt, c?.Step);
            }).ToList();
        }

        private async Task<(PaymentBatch Batch, BankAgreement Agreement, BankFileFormat Format, BankFileKeys Keys)> BatchWithKeysAsync(Guid batchId, CancellationToken ct)
        {
            var batch = await db.PaymentBatches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            var agreement = (batch.AgreementId is { } a ? await db.BankAgreements.AsNoTracking().SingleOrDefaultAsync(x => x.Id == a, ct) : null)
                ?? throw new OneCardException(ErrorKind.Conflict, "AgreementMissing", $"批次 {batch.BatchNo} 没有代发协议，无法加密签名银行文件",
                    "The batch has no agreement: its files cannot be sealed.");
            if (!formats.Contains(agreement.FileFormat))
                throw new OneCardException(ErrorKind.Conflict, "FileFormatUnknown",
                    $"协议 {agreement.AgreementNo} 的文件格式“{agreement.FileFormat}”未配置（已有：{string.Join("、", formats.All.Select(f => f.Code))}）",
                    "The agreement's file format is not configured.");
            return (batch, agreement, formats.Get(agreement.FileFormat), BankFileKeys.For(agreement, protector));
        }

        /// <summary>
        /// The instruction file, written to a temporary file that is deleted when the returned stream closes. Allowed only once the
        /// batch is released to its bank (409 <c>BatchNotReleased</c>); each download is audited with the file's SHA-256.
        /// </summary>
        public async Task<(string Name, Stream Content)> BankFileAsync(Guid batchId, CancellationToken ct)
        {
            phases.Clear();
            phaseWatch.Restart();
            var (batch, agreement, format, keys) = await BatchWithKeysAsync(batchId, ct);
            Phase("batch, agreement, keys");
            if (batch.ReleasedAt is null)
                throw new OneCardException(ErrorKind.Conflict, "BatchNotReleased",
                    $"批次 {batch.BatchNo} 尚未下达银行（须先分配预算指标并下达），不能下载代发文件", "The batch is not released to its bank yet.");
            var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await BankFileWriter.WriteInstructionsAsync(db, protector, batch, agreement, format, keys, file, ct);
                Phase("read, unseal, CSV | SM4-CBC, HMAC-SM3, file");
                file.Position = 0;
                var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
                file.Position = 0;
                Phase("SHA-256");
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await audit.AppendAsync(db, user.ActorId, "BankFileDownloaded", "PaymentBatch", batch.Id.ToString(), batch.RegionCode,
                    new { batch.BatchNo, sha256, lines = batch.LineCount, agreement.AgreementNo, keyVersion = keys.KeyVersion, format = format.Code }, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                Phase("audit");
                return ($"{batch.BatchNo}.bank", file);
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }

        /// <summary>
        /// Imports a result file exactly once. The upload is spooled to disk; its envelope must name this batch, its agreement and
        /// current key version, and carry a valid HMAC-SM3 — checked before anything is decrypted. The batch row is locked for the
        /// transaction, so concurrent imports of one batch run in turn and each validates against what the previous one committed:
        /// a replay finds its file recorded (unchanged, no audit), a contradicting file is refused whole. Rows are checked as they
        /// are read and the pending ones streamed into the apply sink (COPY on PostgreSQL); any error rolls everything back.
        /// </summary>
        public async Task<(ImportSummary?, BankFileErrors)> ImportResultsAsync(Guid batchId, Stream content, CancellationToken ct)
        {
            phases.Clear();
            phaseWatch.Restart();
            await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await content.CopyToAsync(spool, ct);
            spool.Position = 0;
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(spool, ct));
            Phase("spool + SHA-256");

            BankEnvelopeHeader header;
            byte[] iv;
            int headerLength;
            try { (header, iv, headerLength) = BankFileEnvelope.ReadHeader(spool); }
            catch (BankEnvelopeException e) { return (null, BankFileErrors.Of([BankFileError.File("文件头", e.Code, e.MessageZh, e.Message)])); }

            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.LockPaymentBatchAsync(batchId, ct);
            var (batch, agreement, format, keys) = await BatchWithKeysAsync(batchId, ct);
            if (await db.BankResultImports.AsNoTracking().SingleOrDefaultAsync(i => i.BatchId == batchId && i.Sha256 == sha256, ct) is { } first)
            {
                // A replay: what the user does when the answer was lost. If the host died after the import committed and before
                // the publication did, the replay publishes (the batch's lock released first; the publication takes the case's).
                await tx.DisposeAsync();
                var replayed = batch.Status == PaymentBatchStatus.Reconciled ? await publication.AfterReconciledAsync(batch.ApplicationId, ct) : default;
                return (new ImportSummary(first.Lines, 0, first.Lines, batch.Status.ToString(), replayed.Step, first.ImportedAt, replayed.Queued), new());
            }

            if (CheckEnvelope(header, batch, agreement, keys) is { } refusal) return (null, BankFileErrors.Of([refusal]));
            Phase("header, lock, keys");
            if (!BankFileEnvelope.Verify(spool, headerLength, keys))
                return (null, BankFileErrors.Of([BankFileError.File("签名", "ResultSignatureInvalid",
                    $"回盘文件的 HMAC-SM3 签名与协议 {agreement.AgreementNo} 第{keys.KeyVersion}版密钥不符：文件被篡改、损坏或非本行签发，整个文件拒收",
                    "The HMAC-SM3 signature does not verify: the file was altered or not signed with the agreement's key.")]));
            Phase("verify HMAC-SM3");

            // The batch as committed now (under the lock): each line's amount and status, compactly.
            var lines = new Dictionary<int, (decimal Amount, PaymentStatus Status)>(batch.LineCount);
            await foreach (var i in db.PaymentInstructions.AsNoTracking().Where(i => i.BatchId == batchId)
                               .Select(i => new { i.Seq, i.Amount, i.Status }).AsAsyncEnumerable().WithCancellation(ct))
                lines[i.Seq] = (i.Amount, i.Status);
            Phase("read the batch's lines");

            await using var sink = await BankResultSink.OpenAsync(db, ct);
            var errors = new BankFileErrors();
            int rowCount = 0, paid = 0, failed = 0;
            decimal fileTotal = 0;
            try
            {
                await using var clear = BankFileEnvelope.OpenRead(spool, headerLength, iv, keys);
                var (reader, headerErrors) = BankResultReader.Open(clear, format);
                if (reader is null) return (null, BankFileErrors.Of(headerErrors));
                using (reader)
                {
                    var seen = new HashSet<int>(lines.Count);
                    foreach (var row in reader.Rows())
                    {
                        rowCount++;
                        var error = Check(row, batch, format, lines, seen, out var seq, out var amount, out var meaning);
                        if (amount is { } a) fileTotal += a;
                        if (error is not null) { errors.Add(error); continue; }
                        if (errors.Total > 0 || lines[seq].Status != PaymentStatus.Pending) continue;
                        var message = meaning == ResultMeaning.Failed ? (row.Message.Length > 0 ? row.Message : row.ResultCode) : null;
                        if (meaning == ResultMeaning.Paid) paid++; else failed++;
                        await sink.AddAsync(seq, meaning == ResultMeaning.Paid, message, ct);
                    }
                }
            }
            catch (CryptographicException)
            {
                errors.Add(BankFileError.File("密文", "EnvelopeInvalid", "回盘文件签名正确但无法解密（填充错误）：请银行重新生成", "Signed but cannot be decrypted."));
            }
            if (rowCount != header.Lines)
                errors.Add(BankFileError.File("文件头 lines", "LineCountMismatch", $"文件头声明 {header.Lines} 行，实有 {rowCount} 行", "The header's line count does not match the rows."));
            if (fileTotal != header.Total)
                errors.Add(BankFileError.File("文件头 total", "AmountMismatch",
                    $"文件头合计 {header.Total.ToString("N2", CultureInfo.InvariantCulture)} 元，明细合计 {fileTotal.ToString("N2", CultureInfo.InvariantCulture)} 元，两者矛盾", "The header's total contradicts the rows."));
            if (errors.Total > 0) return (null, errors);
            await sink.CloseAsync(ct);
            Phase("decrypt, parse, check, stage (COPY)");

            var now = time.GetUtcNow();
            var pending = paid + failed;
            if (pending > 0)
            {
                // Lock the case before touching its lines or the audit log, in the order case actions take them
                // (case, lines, audit), so an import and a case action cannot deadlock.
                var instance = await db.WorkflowInstances.SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == batch.ApplicationId, ct);
                await db.LockAsync(instance, ct);
            }
            Phase("lock the case");
            var applied = await sink.ApplyAsync(batchId, batch.ApplicationId, now, ct);
            Phase("update instructions and claim lines");
            if (applied != pending)
                throw new OneCardException(ErrorKind.Conflict, "ResultConflict", "支付结果已被同时导入的另一文件登记，请刷新后核对",
                    "Another import recorded these results at the same time; reload and check.");
            db.BankResultImports.Add(new BankResultImport
            {
                Id = Guid.CreateVersion7(), BatchId = batchId, Sha256 = sha256, ImportedBy = user.ActorId, ImportedAt = now, Lines = rowCount, Applied = applied,
            });
            // A file that only repeats recorded results changes nothing and records no audit entry.
            if (applied == 0)
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return (new ImportSummary(rowCount, 0, rowCount, batch.Status.ToString(), null), new());
            }
            var reconciled = lines.Values.Count(l => l.Status == PaymentStatus.Pending) == applied;
            if (reconciled)
                await db.PaymentBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, PaymentBatchStatus.Reconciled), ct);
            await audit.AppendAsync(db, user.ActorId, "BankResultsImported", "PaymentBatch", batch.Id.ToString(), batch.RegionCode,
                new { batch.BatchNo, lines = rowCount, applied, failed, sha256, keyVersion = keys.KeyVersion }, ct);
            await db.SaveChangesAsync(ct);
            Phase("batch status, import record, audit");

            if (reconciled)
            {
                await db.PaymentBatches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.ReconciledAt, now), ct);
                // The batch's own case moves on with its results: whatever its current step lets the system do now (its
                // definition names the way out), or nothing.
                await engine.MoveOnAsSystemAsync(PaymentBatchCases.Subject(batchId), ct);
                await db.SaveChangesAsync(ct);
                Phase("the batch's case moves on");
            }
            await tx.CommitAsync(ct);
            Phase("commit");
            // The application's case after the commit, in a transaction of its own: now for an ordinary case, by a job for a
            // large one (Publication).
            var published = reconciled ? await publication.AfterReconciledAsync(batch.ApplicationId, ct) : default;
            if (reconciled) Phase(published.Queued ? "the application's publication queued" : "the application's case moves on (publication, own transaction)");
            var status = reconciled ? PaymentBatchStatus.Reconciled : batch.Status;
            return (new ImportSummary(rowCount, applied, rowCount - applied, status.ToString(), published.Step, PublicationQueued: published.Queued), new());
        }

        /// <summary>Above every amount an instruction can hold (<c>numeric(18,2)</c>).</summary>
        private const decimal MaxAmount = 10_000_000_000_000_000m;

        /// <summary>The envelope must be a result file of this batch, under its agreement, current key version and format.</summary>
        private static BankFileError? CheckEnvelope(BankEnvelopeHeader header, PaymentBatch batch, BankAgreement agreement, BankFileKeys keys)
        {
            if (header.Kind != BankEnvelopeHeader.Results)
                return BankFileError.File("文件头 kind", "NotAResultFile", $"这是{(header.Kind == BankEnvelopeHeader.Instructions ? "代发指令文件" : "未知文件")}（kind: {header.Kind}），不是回盘文件",
                    "This is not a result file.");
            if (header.BatchNo != batch.BatchNo)
                return BankFileError.File("文件头 batch", "BatchUnknown", $"回盘文件属于批次“{header.BatchNo}”，不是本批次 {batch.BatchNo}：整个文件拒收",
                    "The file names another batch.");
            if (header.AgreementNo != agreement.AgreementNo)
                return BankFileError.File("文件头 agreement", "AgreementMismatch", $"回盘文件按协议“{header.AgreementNo}”签发，本批次的协议为 {agreement.AgreementNo}",
                    "The file names another agreement.");
            if (header.KeyVersion != keys.KeyVersion)
                return BankFileError.File("文件头 key-version", "KeyVersionUnknown", $"回盘文件使用第{header.KeyVersion}版密钥，协议 {agreement.AgreementNo} 现行为第{keys.KeyVersion}版",
                    "The file uses another key version.");
            if (header.Format != agreement.FileFormat)
                return BankFileError.File("文件头 format", "FormatMismatch", $"回盘文件格式“{header.Format}”与协议约定的 {agreement.FileFormat} 不符", "Another file format.");
            return null;
        }

        /// <summary>
        /// Checks one row against the batch as committed now; a contradiction of a recorded result is an error. A cell quoted in
        /// a message is shortened (<see cref="LineErrors.Echo"/>): a message stays small whatever the bank's file holds.
        /// </summary>
        private static BankFileError? Check(BankResultRow row, PaymentBatch batch, BankFileFormat format, Dictionary<int, (decimal Amount, PaymentStatus Status)> lines,
            HashSet<int> seen, out int seq, out decimal? amount, out ResultMeaning meaning)
        {
            seq = 0;
            meaning = ResultMeaning.Refuse;
            // An amount past what the column holds (16 digits before the point) matches no line, and stays out of the file's
            // total, which a few of them would otherwise overflow.
            amount = decimal.TryParse(row.Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) && a < MaxAmount ? a : null;
            string Column(ResultField f) => format.ResultColumns.First(c => c.Field == f).Header;
            static string Echo(string value) => LineErrors.Echo(value);
            BankFileError Error(ResultField field, string code, string zh, string en) => new(row.Row, Column(field), code, zh, en);
            if (row.BatchNo != batch.BatchNo)
                return Error(ResultField.BatchNo, "BatchUnknown", $"批次号“{Echo(row.BatchNo)}”不是本批次 {batch.BatchNo}", "Another batch's line.");
            if (!int.TryParse(row.Seq, NumberStyles.None, CultureInfo.InvariantCulture, out seq) || !lines.TryGetValue(seq, out var line))
                return Error(ResultField.Seq, "SeqUnknown", $"序号“{Echo(row.Seq)}”不在本批次中", "No such sequence number in the batch.");
            if (!seen.Add(seq)) return Error(ResultField.Seq, "SeqDuplicate", $"序号 {seq} 在文件中重复", "Duplicate sequence number in the file.");
            if (amount != line.Amount)
                return Error(ResultField.Amount, "AmountMismatch", $"金额“{Echo(row.Amount)}”与指令金额 {line.Amount.ToString("0.00", CultureInfo.InvariantCulture)} 不符", "Amount does not match the instruction.");
            meaning = format.Meaning(row.ResultCode);
            if (meaning == ResultMeaning.Refuse)
                return Error(ResultField.ResultCode, "ResultUnknown",
                    $"结果“{Echo(row.ResultCode)}”不是约定的返回码（{string.Join("、", format.ResultCodes.Keys)}）", "Unknown result code.");
            // A failure needs the bank's reason: its text, or (for a code outside the map) the code itself.
            if (meaning == ResultMeaning.Failed && row.Message.Length == 0 && format.ResultCodes.ContainsKey(row.ResultCode)
                && format.ResultColumns.Any(c => c.Field == ResultField.Message))
                return Error(ResultField.Message, "FailureReasonMissing", "失败记录须写明原因", "A failed line needs a reason.");
            if (row.Message.Length > 200)
                return Error(ResultField.Message, "MessageTooLong", $"说明超过 200 字（{row.Message.Length} 字）", "The message is longer than 200 characters.");
            var status = meaning == ResultMeaning.Paid ? PaymentStatus.Succeeded : PaymentStatus.Failed;
            if (line.Status != PaymentStatus.Pending && line.Status != status)
                return Error(ResultField.ResultCode, "ResultConflict",
                    $"序号 {seq} 已登记为“{(line.Status == PaymentStatus.Succeeded ? "成功" : "失败")}”，与本文件矛盾，须人工核查", "Contradicts a recorded result; manual review needed.");
            return null;
        }
    }
}
