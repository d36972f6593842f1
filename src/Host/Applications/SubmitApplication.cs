using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Applications;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>
/// Submitting an application — a JSON body or a CSV/xlsx roster — for the clerk's township: validate
/// every line, evaluate the pinned rule set, store the case and its lines, start its workflow. By default all or
/// nothing: a submission with any bad line is refused whole, with every problem located. A roster import may choose
/// <see cref="RosterImportMode.AcceptValid"/>: the case is made of the valid lines and the refused ones are kept with their reasons.
/// </summary>
public static class SubmitApplication
{
    public sealed record Request(string PolicyCode, string Period, IReadOnlyList<LineRequest> Lines);
    public sealed record LineRequest(string? Name, string? IdNumber, string? RegionCode, string? BankAccount, string? BankName,
        Dictionary<string, JsonElement>? Facts, string? AccountType = null);
    public sealed record Submitted(Guid Id, string Number, int LineCount, int EligibleCount, int IneligibleCount, int FaultedCount,
        decimal PayableAmount, string Step, string RuleSet, string Workflow, string? Encoding = null);

    public static void MapSubmitApplication(this RouteGroupBuilder api)
    {
        api.MapPost("/applications", async Task<Results<Created<Submitted>, ProblemHttpResult>> (Request request, Handler handler, CancellationToken ct) =>
        {
            var inputs = request.Lines.Select((l, i) => new ClaimInput(i + 1, l.Name, l.IdNumber, l.RegionCode, l.BankAccount, l.BankName,
                (l.Facts ?? []).ToDictionary(f => f.Key, f => (string?)(f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : f.Value.GetRawText())), l.AccountType))
                .ToList();
            var outcome = await handler.SubmitAsync(request.PolicyCode, request.Period, ApplicationSource.Individual, inputs, ct);
            return outcome.Errors.Count > 0 ? LineProblems(outcome.Errors, rowIsIndex: true) : TypedResults.Created($"/api/applications/{outcome.Result!.Id}", outcome.Result);
        }).WithName("SubmitApplication").WithSummary("Submit an application (JSON lines; row = 1-based index in lines)")
          .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk));

        api.MapPost("/applications/roster", async Task<Results<Created<Submitted>, ProblemHttpResult>> (
            HttpRequest http, Handler handler, RosterSpool spool, CancellationToken ct) =>
        {
            // The same path as a background import (RosterImports.cs): the body is read part by part, the file streamed to the
            // spool folder under the cap (over it: BadHttpRequestException 413, which Errors.cs turns into this endpoint's
            // Chinese problem), read from there in place, and deleted afterwards. Synchronous: the smaller cap of RosterReader.
            await using var upload = await spool.ReceiveAsync(http, RosterReader.MaxUploadBytes, ct);
            using var roster = RosterReader.OpenFile(upload.Path, upload.FileName);
            var outcome = await handler.SubmitRosterAsync(upload.Field("policyCode"), upload.Field("period"), roster, ct);
            return outcome.Errors.Count > 0 ? LineProblems(outcome, rowIsIndex: false) : TypedResults.Created($"/api/applications/{outcome.Result!.Id}", outcome.Result);
        }).WithName("UploadRoster").WithSummary("Submit a township roster as CSV or xlsx (row = spreadsheet row, header = 1)")
          .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk)).DisableAntiforgery()
          // Kestrel's own 30 MB default would refuse a legitimate roster before the app sees it; the form's
          // framing gets 1 MB above the file limit.
          .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RosterReader.MaxUploadBytes + 1024 * 1024))
          .WithMetadata(new RequestTooLargeProblem(TooLarge()));

        api.MapSubmissionReports();
        api.MapRosterImports();
    }

    private static OneCardException TooLarge() => new(ErrorKind.Invalid, "RosterTooLarge",
        $"文件超过{RosterReader.MaxUploadBytes / 1024 / 1024}MB，请分批上传", $"The file is larger than {RosterReader.MaxUploadBytes / 1024 / 1024} MB.");

    /// <summary>422 with the line errors (bank result files: few, no stored report).</summary>
    public static ProblemHttpResult LineProblems(IReadOnlyList<LineError> errors, bool rowIsIndex) =>
        LineProblems(new Outcome(null, errors as LineErrors ?? LineErrors.From(errors), 0), rowIsIndex);

    /// <summary>
    /// 422 with the first <see cref="SubmissionReports.ShownInResponse"/> errors, the totals, and the address of the
    /// full report: the body stays small however many errors a file has.
    /// </summary>
    public static ProblemHttpResult LineProblems(Outcome outcome, bool rowIsIndex)
    {
        var errors = outcome.Errors;
        var unit = rowIsIndex ? "条" : "行";
        var extensions = new Dictionary<string, object?>
        {
            ["code"] = "SubmissionInvalid",
            ["errors"] = errors.Take(SubmissionReports.ShownInResponse)
                .Select(e => new { row = e.Row, field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
            ["errorCount"] = errors.Total,
            ["errorRowCount"] = errors.Rows,
        };
        if (outcome.LineCount > 0) extensions["rowCount"] = outcome.LineCount;
        if (outcome.ReportId is { } report) extensions["report"] = new { id = report, url = SubmissionReports.Url(report) };
        if (outcome.Encoding is { } encoding) extensions["encoding"] = encoding;
        return TypedResults.Problem(
            title: $"提交被拒绝：{errors.Rows}{unit}共{errors.Total}处错误，未保存任何数据"
                   + (errors.Total > SubmissionReports.ShownInResponse ? $"（此处列出前{SubmissionReports.ShownInResponse}处，完整报告可下载）" : ""),
            detail: string.Join("；", errors.Take(20).Select(e => $"第{e.Row}{unit}【{e.Field}】{e.MessageZh}")),
            statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: extensions);
    }

    /// <summary>What a submission came to: the stored case, or its errors (capped), how many lines were read, the report, the encoding.</summary>
    public sealed record Outcome(Submitted? Result, LineErrors Errors, int LineCount, Guid? ReportId = null, string? Encoding = null, string? EncodingZh = null);

    /// <summary>
    /// How a roster import submits: its mode, its id (set on the import in the case's own transaction, so a rerun finds the
    /// case and never makes a second), where refused rows go, a progress callback (phase, rows read, bytes read), and the
    /// lines per chunk of the one-pass store (0: <see cref="Handler.DefaultChunkSize"/>; tests set it tiny).
    /// </summary>
    public sealed record RosterOptions(RosterImportMode Mode = RosterImportMode.RefuseWhole, Guid? ImportId = null, RefusedRows? Refusals = null,
        Action<string, int, long>? Progress = null, int ChunkSize = 0);

    /// <summary>The use case itself; the HTTP endpoints and the web UI both call it.</summary>
    public sealed class Handler(
        OneCardDbContext db,
        UserContext user,
        IRuleSets ruleSets,
        RuleEvaluator evaluator,
        WorkflowCatalog workflows,
        RegionDirectory regions,
        PersonalDataProtector protector,
        CaseEngine engine,
        AuditWriter audit,
        DatabaseOptions database,
        TimeProvider time,
        Registry.CrossChecks crossChecks,
        IServiceScopeFactory scopes)
    {
        public Task<Outcome> SubmitAsync(string policyCode, string period, ApplicationSource source, IReadOnlyList<ClaimInput> inputs, CancellationToken ct)
        {
            if (inputs.Count == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoLines", "申报至少须有一条明细", "An application needs at least one line.");
            return SubmitAsync(policyCode, period, source, null, _ => inputs, "申报明细", null, ct);
        }

        /// <summary>A roster: its header is checked first, then its rows are read, validated and (if all are good) stored.</summary>
        public Task<Outcome> SubmitRosterAsync(string policyCode, string period, RosterFile roster, CancellationToken ct) =>
            SubmitRosterAsync(policyCode, period, roster, new RosterOptions(), ct);

        /// <summary>A roster as an import submits it (see <see cref="RosterOptions"/>).</summary>
        public Task<Outcome> SubmitRosterAsync(string policyCode, string period, RosterFile roster, RosterOptions options, CancellationToken ct)
        {
            var refusals = options.Refusals;
            var progress = options.Progress;
            IEnumerable<ClaimInput> Read(LineErrors errors)
            {
                var n = 0;
                foreach (var row in roster.Rows(errors))
                {
                    refusals?.Current(row);
                    // Cheap (three fields set); the import's pump writes them at most twice a second.
                    if ((++n & 255) == 0) progress?.Invoke(Reading, roster.DataRows, roster.BytesRead);
                    yield return ClaimValidator.FromRow(row);
                }
                progress?.Invoke(Reading, roster.DataRows, roster.BytesRead);
            }
            return SubmitAsync(policyCode, period, ApplicationSource.Roster, roster, Read, roster.FileName, options, ct);
        }

        /// <summary>The phases a roster import shows (Chinese: the progress page prints them).</summary>
        /// <remarks>
        /// One pass: rows are read, validated, evaluated, encrypted and stored chunk by chunk while <see cref="Reading"/>
        /// (the bar follows the bytes read); then the case's cross-checks (<see cref="CrossChecking"/>); then the import is done.
        /// </remarks>
        public const string Reading = "读取、校验、计算并保存", CrossChecking = "大数据比对";

        /// <summary>Lines per chunk when the caller names none: measured by <c>bench/run.sh roster</c> (bench/REGISTRY.md).</summary>
        public const int DefaultChunkSize = 10_000;

        /// <summary>From this many stored lines a roster's tables are analysed before its cross-checks (PostgreSQL).</summary>
        public const int AnalyzeFromLines = 20_000;

        /// <summary>Chunks made ready while one is being stored: the CPU work of the next overlaps the COPY of this one.</summary>
        private const int ChunksInFlight = 1;

        /// <summary>
        /// One chunk ready to store: its lines (numbered), the beneficiaries they name (hashed and encrypted) and the
        /// accounts' blind indexes. Made by the preparing task, stored by the storing task that owns <see cref="db"/>.
        /// </summary>
        private sealed record Chunk(ClaimLine[] Lines, Beneficiary[] Candidates, ValidClaim[] Claims, string[] AccountHashes);

        /// <summary>What the preparing task found over the whole roster (known once it has read the last row).</summary>
        private sealed class Totals
        {
            public int LineCount, Stored, Eligible, Ineligible, Faulted, LastRow;
            public decimal Payable, Total;
        }

        private async Task<Outcome> SubmitAsync(string policyCode, string period, ApplicationSource source, RosterFile? roster,
            Func<LineErrors, IEnumerable<ClaimInput>> read, string fileName, RosterOptions? options, CancellationToken ct)
        {
            var acceptValid = options?.Mode == RosterImportMode.AcceptValid;
            var chunkSize = options?.ChunkSize is > 0 and var size ? size : DefaultChunkSize;
            var clerk = user.Required;
            if (clerk.RegionCode.Length != 9)
                throw new OneCardException(ErrorKind.Forbidden, "NotTownshipUser", "只有乡镇（街道）经办人可以提交申报", "Only a township clerk can submit.");
            if (string.IsNullOrWhiteSpace(period) || period.Length > 16)
                throw new OneCardException(ErrorKind.Invalid, "PeriodInvalid", "期次无效（例如 2026）", "Period is invalid (e.g. 2026).");
            var binding = await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Code == policyCode, ct)
                ?? throw new OneCardException(ErrorKind.Invalid, "PolicyUnknown", $"补贴政策“{LineErrors.Echo(policyCode)}”不存在", $"Unknown policy '{LineErrors.Echo(policyCode)}'.");
            // Departments: a department-bound clerk submits only their department's policies (a 民政 clerk no 农业农村 roster).
            if (clerk.DepartmentCode is { } department && binding.DepartmentCode != department)
                throw new OneCardException(ErrorKind.Forbidden, "PolicyOfOtherDepartment",
                    $"补贴政策“{binding.NameZh}”由{DepartmentCodes.Zh(binding.DepartmentCode)}部门主管，您属于{DepartmentCodes.Zh(department)}部门，不能提交该政策的申报",
                    $"Policy '{binding.Code}' belongs to department {binding.DepartmentCode}, not to the user's department {department}.");
            var definition = workflows.Latest(binding.WorkflowDefinitionId);
            var now = time.GetUtcNow();
            var today = DateOnly.FromDateTime(now.ToOffset(WorkingDayCalendar.Offset).DateTime);
            // The version in force on the day of submission (China time); the case keeps it (RuleSetKey on the application and lines).
            var ruleSet = ruleSets.EffectiveOn(binding.Code, today)
                ?? throw new OneCardException(ErrorKind.Invalid, "NoEffectiveRuleSet",
                    $"补贴政策“{binding.NameZh}”在 {today:yyyy-MM-dd} 没有生效的规则集，暂不能申报",
                    $"Policy {binding.Code} has no rule set in force on {today:yyyy-MM-dd}.");

            var errors = new LineErrors { Refusals = options?.Refusals };
            async Task<Outcome> Refused(int lineCount) => new(null, errors, lineCount,
                await SubmissionReports.StoreAsync(db, clerk.Id, fileName, errors, lineCount, now, ct), roster?.Encoding, roster?.EncodingZh);

            if (roster is not null)
            {
                ClaimValidator.CheckHeaders(roster.Headers, ruleSet, errors, roster.EncodingZh);
                if (errors.Total > 0) return await Refused(0);
            }

            var applicationId = Guid.CreateVersion7();
            var number = $"SQ{now.ToOffset(WorkingDayCalendar.Offset):yyyyMMdd}{clerk.RegionCode}{applicationId.ToString("N")[^6..].ToUpperInvariant()}";
            var application = new Application
            {
                Id = applicationId, Number = number, PolicyCode = binding.Code, Period = period.Trim(), RegionCode = clerk.RegionCode,
                Source = source, SubmittedBy = clerk.Id, SubmittedAt = now, RuleSetKey = ruleSet.VersionKey, WorkflowKey = definition.VersionKey,
            };
            var bulk = db.IsPostgres && database.BulkCopy;
            var totals = new Totals();

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // The application row first (the lines' foreign key); its counts and totals are set at the end.
            db.Applications.Add(application);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();

            // Two tasks: this one owns the DbContext and stores; the preparing task reads, validates, evaluates and encrypts the
            // next chunk meanwhile. The channel holds at most ChunksInFlight ready chunks, so memory is a few chunks, not the roster.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var ready = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
            var validator = new ClaimValidator(regions.Codes, today);
            var preparing = Task.Run(() => Prepare(read(errors), validator.Begin(ruleSet, clerk.RegionCode, errors), ruleSet, application, chunkSize,
                acceptValid, errors, totals, now, ready.Writer, stop.Token), stop.Token);
            Guid? reportId = null;
            try
            {
                var directory = await Banks.BeneficiaryAccounts.DirectoryAsync(db, ct);
                // Where the database lets this session store rows without the per-row foreign-key triggers, the chunks do
                // (RosterStore.WithoutForeignKeyTriggersAsync): each row's references are checked against what the chunk holds.
                var skipTriggers = bulk && await RosterStore.MaySkipForeignKeyTriggersAsync(db, ct);
                while (true)
                {
                    // The storing task's wait for the next chunk (the preparing task is the slower one when this grows).
                    using (Phases.StartActivity("SubmitApplication.WaitForChunk"))
                        if (!await ready.Reader.WaitToReadAsync(ct)) break;
                    while (ready.Reader.TryRead(out var chunk))
                        using (Phases.StartActivity("SubmitApplication.StoreChunk"))
                            await StoreChunkAsync(chunk, bulk, skipTriggers, directory, applicationId, clerk.Id, number, now, ct);
                }
                await preparing; // its exception, if any (an unreadable file…), surfaces here
            }
            catch
            {
                await stop.CancelAsync();
                try { await preparing; } catch { /* the first failure is the one reported */ }
                throw;
            }

            var lineCount = Math.Max(totals.LineCount, roster?.DataRows ?? 0);
            if (lineCount == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoLines", "申报至少须有一条明细", "An application needs at least one line.");
            if (totals.Total >= MaxStorableAmount)
                errors.Add(totals.LastRow, "金额", "TotalOutOfRange", $"本申报合计金额 {totals.Total:0.00} 元超出可处理的范围，请核实或分批申报",
                    $"The total {totals.Total:0.00} is out of range.");
            // RefuseWhole refuses at the first error; AcceptValid only when no line is left to make a case of, or the total
            // overflows. Either way nothing of the case stays: the transaction is rolled back; the error report is stored alone.
            if (totals.Total >= MaxStorableAmount || (errors.Total > 0 && (!acceptValid || totals.Stored == 0)))
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await Refused(lineCount);
            }

            WorkflowInstance instance;
            using (Phases.StartActivity("SubmitApplication.StoreCase"))
            {
                // AcceptValid with refused lines: their report is part of the case's transaction, as are the refused rows.
                if (errors.Total > 0) reportId = await SubmissionReports.StoreAsync(db, clerk.Id, fileName, errors, lineCount, now, ct);
                db.Applications.Attach(application);
                application.LineCount = totals.Stored;
                application.EligibleCount = totals.Eligible;
                application.PayableAmount = totals.Payable;
                // The audit entry after the lines, so the province-wide audit lock is held for a few rows, not the roster.
                await audit.AppendAsync(db, clerk.Id, "ApplicationSubmitted", "Application", applicationId.ToString(), clerk.RegionCode,
                    new { number, policy = binding.Code, period, lines = application.LineCount, eligible = application.EligibleCount,
                          ruleSet = ruleSet.VersionKey, ruleSetSha256 = ruleSet.Sha256, workflow = definition.VersionKey }, ct);
                instance = await engine.StartAsync(
                    new CaseEngine.NewCase(CaseSubject.Application(application.Id), application.Number, application.RegionCode, application.PolicyCode), definition, ct);
                if (options?.ImportId is { } importId && options.Refusals is { Count: > 0 } refused)
                    db.RosterImportRefusedRows.AddRange(refused.ToRecords(importId));
                await db.SaveChangesAsync(ct);
            }
            // issue 9: the rule set's cross-checks (大数据比对), set-based over the stored lines, inside this transaction.
            options?.Progress?.Invoke(CrossChecking, lineCount, roster?.TotalBytes ?? 0);
            if (db.IsPostgres && totals.Stored >= AnalyzeFromLines)
                using (Phases.StartActivity("SubmitApplication.Analyze"))
                    // The planner's statistics predate this roster (its rows are not committed, so autovacuum cannot see them): it
                    // would take the application's lines for a few thousand and probe the registry once per line. ANALYZE in this
                    // transaction counts the transaction's own rows. Its lock on the tables is held to the commit, which the
                    // audit entry above already serialises between submissions.
                    await db.Database.ExecuteSqlRawAsync("ANALYZE \"ClaimLines\", \"Beneficiaries\", \"BeneficiaryAccounts\"", ct);
            using (Phases.StartActivity("SubmitApplication.CrossChecks"))
                await crossChecks.RunAsync(db, applicationId, Registry.CrossChecks.Submission, clerk.Id, ct);
            if (options?.ImportId is { } claimedImport)
            {
                // The import learns its case in the case's own transaction: a rerun after a crash finds it, and a second,
                // concurrent run finds it taken and rolls its own case back. Last, just before the commit: the update locks the
                // import's row, and the progress pump must still be able to write the cross-check phase meanwhile.
                var claimed = await db.RosterImports.Where(i => i.Id == claimedImport && i.ApplicationId == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(i => i.ApplicationId, applicationId).SetProperty(i => i.ReportId, reportId)
                        .SetProperty(i => i.RefusedCount, errors.Rows), ct);
                if (claimed == 0)
                    throw new OneCardException(ErrorKind.Conflict, "RosterImportAlreadySubmitted", "该花名册导入已生成申报，未重复提交",
                        "This roster import already made its application.");
            }
            await tx.CommitAsync(ct);

            return new Outcome(new Submitted(applicationId, number, application.LineCount, application.EligibleCount,
                totals.Ineligible, totals.Faulted, application.PayableAmount, instance.Step, ruleSet.VersionKey, definition.VersionKey, roster?.Encoding),
                errors, lineCount, reportId, roster?.Encoding, roster?.EncodingZh);
        }

        /// <summary>
        /// The preparing task: rows → validated claims → chunks of evaluated, numbered, encrypted lines on <paramref name="ready"/>.
        /// Whole-roster state: the validator's duplicate set, <paramref name="totals"/>, the (capped) errors and refused rows.
        /// RefuseWhole: after the first error nothing more is evaluated or sent, but every row is still validated and reported.
        /// </summary>
        private async Task Prepare(IEnumerable<ClaimInput> inputs, ClaimValidator.Pass pass, RuleSet ruleSet, Application application, int chunkSize,
            bool acceptValid, LineErrors errors, Totals totals, DateTimeOffset now, ChannelWriter<Chunk> ready, CancellationToken ct)
        {
            // The whole preparing task: what its named phases leave over is reading and validating the rows.
            using var whole = Phases.StartActivity("SubmitApplication.Prepare");
            try
            {
                var pending = new List<ValidClaim>(Math.Min(chunkSize, 1 << 16));
                var nextLineNo = 1;
                bool Stopped() => !acceptValid && errors.Total > 0;
                // Registry facts (households, issue 9): read on a DbContext of this task's own (`db` belongs to the storing task),
                // as the system (a person's household may be registered outside the clerk's township).
                await using var factsScope = Registry.RegistryFacts.Declares(ruleSet) ? scopes.CreateAsyncScope() : (AsyncServiceScope?)null;
                factsScope?.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
                var factsDb = factsScope?.ServiceProvider.GetRequiredService<OneCardDbContext>();
                async Task Flush()
                {
                    if (pending.Count > 0 && !Stopped())
                    {
                        // The ID number's blind index, before evaluation: the key of the registry facts and of the beneficiary upsert.
                        var hashes = new string[pending.Count];
                        using (Phases.StartActivity("SubmitApplication.Hash"))
                            Parallel.For(0, pending.Count, Parallelism(pending.Count), protector.CreateLookupHasher,
                                (i, _, hasher) => { hashes[i] = hasher.LookupHash(pending[i].Id.Normalized!); return hasher; }, _ => { });
                        if (factsDb is not null) hashes = await AddRegistryFactsAsync(factsDb, ruleSet, pending, hashes, errors, ct);
                        if (pending.Count > 0 && !Stopped()
                            && PrepareChunk(pending, hashes, ruleSet, application, acceptValid, errors, totals, ref nextLineNo, now) is { } chunk)
                            // The preparing task's wait for room (the storing task is the slower one when this grows).
                            using (Phases.StartActivity("SubmitApplication.WaitToSend"))
                                await ready.WriteAsync(chunk, ct);
                    }
                    pending.Clear();
                    errors.Refusals?.Release();
                }
                foreach (var input in inputs)
                {
                    ct.ThrowIfCancellationRequested();
                    if (pass.Next(input) is not { } claim || Stopped()) continue;
                    pending.Add(claim);
                    // A reason found later in the chunk (registry facts, the amount) still gives the row's cells.
                    errors.Refusals?.HoldCurrent();
                    if (pending.Count >= chunkSize) await Flush();
                }
                await Flush();
                totals.LineCount = pass.LineCount;
            }
            finally
            {
                ready.TryComplete();
            }
        }

        /// <summary>
        /// One chunk's CPU work: evaluate, check what can be stored, number, hash and encrypt, build the rows. Null when every
        /// line of the chunk was refused, or (RefuseWhole) the chunk found the roster's first error.
        /// </summary>
        private Chunk? PrepareChunk(List<ValidClaim> pending, string[] hashes, RuleSet ruleSet, Application application, bool acceptValid, LineErrors errors,
            Totals totals, ref int nextLineNo, DateTimeOffset now)
        {
            IReadOnlyList<ClaimEvaluation> evaluations;
            using (Phases.StartActivity("SubmitApplication.Evaluate"))
                evaluations = evaluator.EvaluateMany(ruleSet, pending.Select(v => v.Facts).ToList());

            // Amounts and their total must fit the money columns (numeric(18,2) on PostgreSQL, 1/10000 yuan in a 64-bit integer
            // on SQLite): an overflow is the submitter's bad data, refused here, never a failed save. A line whose amount cannot
            // be stored is refused like any bad line; a total too large refuses the roster (checked once the last row is read).
            var keep = new List<int>(pending.Count);
            for (var i = 0; i < pending.Count; i++)
            {
                totals.LastRow = pending[i].Row;
                if (evaluations[i].Outcome == EvaluationOutcome.Eligible && evaluations[i].Amount is { } amount)
                {
                    if (Math.Abs(amount) >= MaxStorableAmount)
                    {
                        errors.Add(pending[i].Row, "金额", "AmountOutOfRange", $"计算出的金额 {amount:0.00} 元超出可处理的范围，请核实本行数据",
                            $"The computed amount {amount:0.00} is out of range; check the line.");
                        continue;
                    }
                    totals.Total += amount;
                }
                keep.Add(i);
            }
            if (keep.Count == 0 || (!acceptValid && errors.Total > 0)) return null;

            var firstLineNo = nextLineNo;
            nextLineNo += keep.Count;
            var lines = new ClaimLine[keep.Count];
            var candidates = new Beneficiary[keep.Count];
            var claims = new ValidClaim[keep.Count];
            var accountHashes = new string[keep.Count];
            using (Phases.StartActivity("SubmitApplication.Protect"))
                // An encryptor and a hasher per worker: the SM4 key schedule, the GCM table and the keyed HMAC are set up once
                // per worker and chunk, not twice per line.
                Parallel.For(0, keep.Count, Parallelism(keep.Count),
                    () => (Encryptor: protector.CreateEncryptor(), Hasher: protector.CreateLookupHasher(), RuleResults: new RuleResultsJson(Json),
                        Facts: new FactsJson(Json)),
                    (k, _, worker) =>
                    {
                        var i = keep[k];
                        var claim = pending[i];
                        claims[k] = claim;
                        candidates[k] = NewBeneficiary(claim, hashes[i], now, worker.Encryptor);
                        accountHashes[k] = worker.Hasher.LookupHash(claim.BankAccount);
                        // The beneficiary's id is known only once stored (a known person keeps theirs): set by the storing task.
                        lines[k] = NewLine(application, firstLineNo + k, claim, evaluations[i], Guid.Empty, worker.RuleResults, worker.Facts, now);
                        return worker;
                    }, worker => worker.Facts.Dispose());
            foreach (var line in lines)
            {
                totals.Stored++;
                switch (line.Outcome)
                {
                    case LineOutcome.Eligible: totals.Eligible++; totals.Payable += line.Amount ?? 0m; break;
                    case LineOutcome.Ineligible: totals.Ineligible++; break;
                    default: totals.Faulted++; break;
                }
            }
            return new Chunk(lines, candidates, claims, accountHashes);
        }

        /// <summary>
        /// households (issue 9): adds the registry-sourced facts the rule set declares (household.*, crossCheck.* = false) to the
        /// chunk's claims, set-based (<see cref="Registry.RegistryFacts.FillAsync"/>); a line the registry cannot serve (no household,
        /// not its head) is refused with its located error and leaves the chunk. Returns the remaining lines' blind indexes.
        /// </summary>
        private static async Task<string[]> AddRegistryFactsAsync(OneCardDbContext factsDb, RuleSet ruleSet, List<ValidClaim> pending, string[] hashes,
            LineErrors errors, CancellationToken ct)
        {
            var subjects = pending.Select((v, i) => new Registry.RegistryFacts.Subject(v.Row, hashes[i], new Dictionary<string, object?>(v.Facts, StringComparer.Ordinal)))
                .ToList();
            var refused = await Registry.RegistryFacts.FillAsync(factsDb, ruleSet, subjects, ct);
            foreach (var error in refused) errors.Add(error);
            var refusedRows = refused.Select(e => e.Row).ToHashSet();
            var kept = new List<ValidClaim>(pending.Count);
            var keptHashes = new List<string>(pending.Count);
            for (var i = 0; i < pending.Count; i++)
            {
                if (refusedRows.Contains(pending[i].Row)) continue;
                kept.Add(pending[i] with { Facts = (IReadOnlyDictionary<string, object?>)subjects[i].Facts });
                keptHashes.Add(hashes[i]);
            }
            pending.Clear();
            pending.AddRange(kept);
            return [.. keptHashes];
        }

        /// <summary>The storing task's work for one chunk: beneficiaries (upsert), their accounts, the lines; then the tracker is cleared.</summary>
        private async Task StoreChunkAsync(Chunk chunk, bool bulk, bool skipTriggers, Domain.Payments.AgentBankNames.Directory directory, Guid applicationId,
            string clerkId, string number, DateTimeOffset now, CancellationToken ct)
        {
            Dictionary<string, Guid> beneficiaryIds;
            using (Phases.StartActivity("SubmitApplication.StoreBeneficiaries"))
                beneficiaryIds = bulk
                    ? await RosterStore.UpsertBeneficiariesAsync(db, chunk.Candidates, ct)
                    : await UpsertBeneficiariesAsync(chunk.Candidates, ct);
            // A person new to the registry is stored under the candidate's own id; a known one keeps theirs.
            var created = new HashSet<Guid>();
            for (var k = 0; k < chunk.Lines.Length; k++)
                if ((chunk.Lines[k].BeneficiaryId = beneficiaryIds[chunk.Candidates[k].IdNumberHash]) == chunk.Candidates[k].Id)
                    created.Add(chunk.Candidates[k].Id);
            var held = skipTriggers ? RosterStore.HeldReferences.Of(applicationId, beneficiaryIds) : null;
            // banks (issue 8): each beneficiary's one-card account as this submission names it, with its history.
            using (Phases.StartActivity("SubmitApplication.StoreAccounts"))
                await Banks.BeneficiaryAccounts.RecordAsync(db, protector,
                chunk.Claims.Select((v, k) => new Banks.BeneficiaryAccounts.Submitted(chunk.Lines[k].BeneficiaryId, v.RegionCode, v.BankAccount,
                    chunk.Candidates[k].BankAccountCipher!, chunk.Candidates[k].BankAccountMasked!, v.Name, v.BankName, v.AccountType, chunk.AccountHashes[k])).ToList(),
                "Roster", applicationId, clerkId, $"申报 {number}", now, bulk, ct, directory, created, held);
            using (Phases.StartActivity("SubmitApplication.StoreLines"))
            {
                if (bulk) await RosterStore.InsertClaimLinesAsync(db, chunk.Lines, held, ct);
                else db.ClaimLines.AddRange(chunk.Lines);
                await db.SaveChangesAsync(ct);
            }
            db.ChangeTracker.Clear();
        }

        /// <summary>Per-line CPU work of a chunk on every core, but a small chunk (a county roster, a test) on one.</summary>
        private static ParallelOptions Parallelism(int count) => new() { MaxDegreeOfParallelism = count < 2_048 ? 1 : Environment.ProcessorCount };

        /// <summary>The beneficiary a line would create: keyed hash, encrypted ID and account, masked forms.</summary>
        private static Beneficiary NewBeneficiary(ValidClaim claim, string idNumberHash, DateTimeOffset now, PersonalDataProtector.Encryptor encryptor) => new()
        {
            Id = RowIds.Next(now), IdNumberHash = idNumberHash, IdNumberCipher = encryptor.Encrypt(claim.Id.Normalized!),
            IdNumberMasked = Masking.IdNumber(claim.Id.Normalized), Name = claim.Name, BirthDate = claim.Id.BirthDate!.Value,
            IsMale = claim.Id.Gender == Domain.Identity.Gender.Male, RegionCode = claim.RegionCode, IdAreaCode = claim.Id.AreaCode,
            BankAccountCipher = encryptor.Encrypt(claim.BankAccount), BankAccountMasked = Masking.BankAccount(claim.BankAccount),
            BankName = claim.BankName, CreatedAt = now, UpdatedAt = now,
        };

        private static ClaimLine NewLine(Application application, int lineNo, ValidClaim claim, ClaimEvaluation evaluation, Guid beneficiaryId,
            RuleResultsJson ruleResults, FactsJson facts, DateTimeOffset now)
        {
            var (outcome, zh, en) = evaluation.Outcome switch
            {
                EvaluationOutcome.Eligible => (LineOutcome.Eligible, (string?)null, (string?)null),
                EvaluationOutcome.Ineligible => (LineOutcome.Ineligible,
                    string.Join("；", evaluation.Rules.Where(r => !r.Passed).Select(r => r.MessageZh)),
                    string.Join("; ", evaluation.Rules.Where(r => !r.Passed).Select(r => r.MessageEn))),
                _ => (LineOutcome.Faulted, "规则执行故障：" + evaluation.Fault, "Rule evaluation fault: " + evaluation.Fault),
            };
            return new ClaimLine
            {
                Id = RowIds.Next(now), ApplicationId = application.Id, LineNo = lineNo, BeneficiaryId = beneficiaryId,
                RegionCode = claim.RegionCode, PolicyCode = application.PolicyCode, Period = application.Period, Name = claim.Name,
                IdNumberMasked = Masking.IdNumber(claim.Id.Normalized), FactsJson = facts.Write(claim.Facts),
                // The facts an ID number gives the rules, kept once here so an impact run never decrypts (see Impact.cs).
                IdAreaCode = claim.Id.AreaCode, IdBirthDate = claim.Id.BirthDate, IdIsMale = claim.Id.Gender == Domain.Identity.Gender.Male,
                Amount = evaluation.Outcome == EvaluationOutcome.Eligible ? evaluation.Amount : null, Outcome = outcome,
                ReasonZh = zh, ReasonEn = en, RuleResultsJson = ruleResults.Write(evaluation.Rules),
                RuleSetKey = evaluation.RuleSetVersionKey,
                WarningsJson = claim.Warnings.Count == 0 ? null : JsonSerializer.Serialize(claim.Warnings, Json),
            };
        }

        /// <summary>
        /// The EF path (SQLite, or bulk copy switched off): finds each candidate's beneficiary by the keyed hash;
        /// a known one gets the candidate's name and account, a new one is added. Returns ids by hash.
        /// </summary>
        private async Task<Dictionary<string, Guid>> UpsertBeneficiariesAsync(IReadOnlyList<Beneficiary> candidates, CancellationToken ct)
        {
            var existing = new Dictionary<string, Beneficiary>(StringComparer.Ordinal);
            foreach (var chunk in candidates.Select(c => c.IdNumberHash).Chunk(1000))
                foreach (var b in await db.Beneficiaries.IgnoreQueryFilters().Where(b => chunk.Contains(b.IdNumberHash)).ToListAsync(ct))
                    existing[b.IdNumberHash] = b;
            var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
            foreach (var candidate in candidates)
            {
                if (existing.TryGetValue(candidate.IdNumberHash, out var found))
                {
                    // The latest roster carries the current account; the change itself is audited with the case.
                    found.Name = candidate.Name;
                    found.IdAreaCode = candidate.IdAreaCode; // households (issue 9): the ID's county, stored once per person
                    found.BankAccountCipher = candidate.BankAccountCipher;
                    found.BankAccountMasked = candidate.BankAccountMasked;
                    found.BankName = candidate.BankName;
                    found.UpdatedAt = candidate.UpdatedAt;
                    ids[candidate.IdNumberHash] = found.Id;
                    continue;
                }
                db.Beneficiaries.Add(candidate);
                ids[candidate.IdNumberHash] = candidate.Id;
            }
            return ids;
        }
    }

    /// <summary>The largest amount (and total) stored: well inside numeric(18,2) and SQLite's scaled 64-bit integer (9.2e14).</summary>
    public const decimal MaxStorableAmount = 100_000_000_000_000m;

    /// <summary>One activity per phase of a submission (validate, evaluate, protect, store), for tracing and the roster benchmark.</summary>
    public static readonly ActivitySource Phases = new(PhasesSourceName);

    /// <summary>The name of <see cref="Phases"/>, for listeners (a constant: reading it does not start the source).</summary>
    public const string PhasesSourceName = "OneCard.Host.SubmitApplication";

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
