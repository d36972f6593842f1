using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Domain.Cases;
using OneCard.Persistence;
using OneCard.Persistence.Applications;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>
/// Submitting an application — a JSON body or a CSV/xlsx roster — for the clerk's township: validate
/// every line, evaluate the pinned rule set, store the case and its lines, start its workflow. All or
/// nothing: a submission with any bad line is refused whole, with every problem located.
/// </summary>
public static class SubmitApplication
{
    public sealed record Request(string PolicyCode, string Period, IReadOnlyList<LineRequest> Lines);
    public sealed record LineRequest(string? Name, string? IdNumber, string? RegionCode, string? BankAccount, string? BankName,
        Dictionary<string, JsonElement>? Facts);
    public sealed record Submitted(Guid Id, string Number, int LineCount, int EligibleCount, int IneligibleCount, int FaultedCount,
        decimal PayableAmount, string Step, string RuleSet, string Workflow);

    public static void MapSubmitApplication(this RouteGroupBuilder api)
    {
        api.MapPost("/applications", async Task<Results<Created<Submitted>, ProblemHttpResult>> (Request request, Handler handler, CancellationToken ct) =>
        {
            var inputs = request.Lines.Select((l, i) => new ClaimInput(i + 1, l.Name, l.IdNumber, l.RegionCode, l.BankAccount, l.BankName,
                (l.Facts ?? []).ToDictionary(f => f.Key, f => (string?)(f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : f.Value.GetRawText()))))
                .ToList();
            var outcome = await handler.SubmitAsync(request.PolicyCode, request.Period, ApplicationSource.Individual, inputs, ct);
            return outcome.Errors.Count > 0 ? LineProblems(outcome.Errors, rowIsIndex: true) : TypedResults.Created($"/api/applications/{outcome.Result!.Id}", outcome.Result);
        }).WithName("SubmitApplication").WithSummary("Submit an application (JSON lines; row = 1-based index in lines)")
          .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk));

        api.MapPost("/applications/roster", async Task<Results<Created<Submitted>, ProblemHttpResult>> (
            IFormFile file, [Microsoft.AspNetCore.Mvc.FromForm] string policyCode, [Microsoft.AspNetCore.Mvc.FromForm] string period,
            Handler handler, CancellationToken ct) =>
        {
            if (file.Length > RosterReader.MaxUploadBytes)
                throw new OneCardException(ErrorKind.Invalid, "RosterTooLarge", "文件超过50MB，请分批上传", "File larger than 50 MB.");
            await using var stream = file.OpenReadStream();
            var rows = RosterReader.Read(stream, file.FileName);
            var outcome = await handler.SubmitAsync(policyCode, period, ApplicationSource.Roster, rows.Select(ClaimValidator.FromRow).ToList(), ct);
            return outcome.Errors.Count > 0 ? LineProblems(outcome.Errors, rowIsIndex: false) : TypedResults.Created($"/api/applications/{outcome.Result!.Id}", outcome.Result);
        }).WithName("UploadRoster").WithSummary("Submit a township roster as CSV or xlsx (row = spreadsheet row, header = 1)")
          .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk)).DisableAntiforgery();
    }

    /// <summary>422 with every line error; the title counts them, each error names row, field and reason.</summary>
    public static ProblemHttpResult LineProblems(IReadOnlyList<LineError> errors, bool rowIsIndex)
    {
        var rows = errors.Select(e => e.Row).Distinct().Count();
        return TypedResults.Problem(
            title: $"提交被拒绝：{rows}行共{errors.Count}处错误，未保存任何数据",
            detail: string.Join("；", errors.Take(20).Select(e => $"第{e.Row}{(rowIsIndex ? "条" : "行")}【{e.Field}】{e.MessageZh}")),
            statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = "SubmissionInvalid",
                ["errors"] = errors.Select(e => new { row = e.Row, field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
            });
    }

    public sealed record Outcome(Submitted? Result, IReadOnlyList<LineError> Errors);

    /// <summary>The use case itself; the HTTP endpoints and the web UI both call it.</summary>
    public sealed class Handler(
        OneCardDbContext db,
        UserContext user,
        RuleSetCatalog ruleSets,
        RuleEvaluator evaluator,
        WorkflowCatalog workflows,
        RegionDirectory regions,
        PersonalDataProtector protector,
        CaseEngine engine,
        AuditWriter audit,
        DatabaseOptions database,
        TimeProvider time)
    {
        public async Task<Outcome> SubmitAsync(string policyCode, string period, ApplicationSource source, IReadOnlyList<ClaimInput> inputs, CancellationToken ct)
        {
            var clerk = user.Required;
            if (clerk.RegionCode.Length != 9)
                throw new OneCardException(ErrorKind.Forbidden, "NotTownshipUser", "只有乡镇（街道）经办人可以提交申报", "Only a township clerk can submit.");
            if (inputs.Count == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoLines", "申报至少须有一条明细", "An application needs at least one line.");
            if (string.IsNullOrWhiteSpace(period) || period.Length > 16)
                throw new OneCardException(ErrorKind.Invalid, "PeriodInvalid", "期次无效（例如 2026）", "Period is invalid (e.g. 2026).");
            var binding = await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Code == policyCode, ct)
                ?? throw new OneCardException(ErrorKind.Invalid, "PolicyUnknown", $"补贴政策“{policyCode}”不存在", $"Unknown policy '{policyCode}'.");
            var ruleSet = ruleSets.Latest(binding.Code);
            var definition = workflows.Latest(binding.WorkflowDefinitionId);
            var now = time.GetUtcNow();
            var today = DateOnly.FromDateTime(now.ToOffset(WorkingDayCalendar.Offset).DateTime);

            IReadOnlyList<ValidClaim> valid;
            IReadOnlyList<LineError> errors;
            using (Phases.StartActivity("SubmitApplication.Validate"))
                (valid, errors) = new ClaimValidator(regions.Codes, today).Validate(inputs, ruleSet, clerk.RegionCode);
            if (errors.Count > 0) return new Outcome(null, errors);

            IReadOnlyList<ClaimEvaluation> evaluations;
            using (Phases.StartActivity("SubmitApplication.Evaluate"))
                evaluations = evaluator.EvaluateMany(ruleSet, valid.Select(v => v.Facts).ToList());

            // Hash and encrypt up front, once per line: both stores take the same protected rows.
            List<Beneficiary> candidates;
            using (Phases.StartActivity("SubmitApplication.Protect"))
                candidates = valid.Select(claim => NewBeneficiary(claim, now)).ToList();

            var applicationId = Guid.CreateVersion7();
            var number = $"SQ{now.ToOffset(WorkingDayCalendar.Offset):yyyyMMdd}{clerk.RegionCode}{applicationId.ToString("N")[^6..].ToUpperInvariant()}";
            var bulk = db.IsPostgres && database.BulkCopy;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            Dictionary<string, Guid> beneficiaryIds;
            using (Phases.StartActivity("SubmitApplication.StoreBeneficiaries"))
                beneficiaryIds = bulk
                    ? await RosterStore.UpsertBeneficiariesAsync(db, candidates, ct)
                    : await UpsertBeneficiariesAsync(candidates, ct);

            var application = new Application
            {
                Id = applicationId, Number = number, PolicyCode = binding.Code, Period = period.Trim(), RegionCode = clerk.RegionCode,
                Source = source, SubmittedBy = clerk.Id, SubmittedAt = now, RuleSetKey = ruleSet.VersionKey, WorkflowKey = definition.VersionKey,
            };
            var lines = new List<ClaimLine>(valid.Count);
            using (Phases.StartActivity("SubmitApplication.BuildLines"))
                for (var i = 0; i < valid.Count; i++)
                    lines.Add(NewLine(application, i + 1, valid[i], evaluations[i], beneficiaryIds[candidates[i].IdNumberHash]));
            application.LineCount = lines.Count;
            application.EligibleCount = lines.Count(l => l.Outcome == LineOutcome.Eligible);
            application.PayableAmount = lines.Where(l => l.Outcome == LineOutcome.Eligible).Sum(l => l.Amount ?? 0m);

            WorkflowInstance instance;
            using (Phases.StartActivity("SubmitApplication.StoreCase"))
            {
                db.Applications.Add(application);
                if (bulk)
                {
                    // The application row first (the lines' foreign key), then the lines by COPY; the audit
                    // entries last, so the province-wide audit lock is held for a few rows, not the roster.
                    await db.SaveChangesAsync(ct);
                    await RosterStore.InsertClaimLinesAsync(db, lines, ct);
                }
                else application.Lines.AddRange(lines);
                await audit.AppendAsync(db, clerk.Id, "ApplicationSubmitted", "Application", applicationId.ToString(), clerk.RegionCode,
                    new { number, policy = binding.Code, period, lines = application.LineCount, eligible = application.EligibleCount,
                          ruleSet = ruleSet.VersionKey, ruleSetSha256 = ruleSet.Sha256, workflow = definition.VersionKey }, ct);
                instance = await engine.StartAsync(application, definition, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }

            return new Outcome(new Submitted(applicationId, number, application.LineCount, application.EligibleCount,
                lines.Count(l => l.Outcome == LineOutcome.Ineligible), lines.Count(l => l.Outcome == LineOutcome.Faulted),
                application.PayableAmount, instance.Step, ruleSet.VersionKey, definition.VersionKey), []);
        }

        /// <summary>The beneficiary a line would create: keyed hash, encrypted ID and account, masked forms.</summary>
        private Beneficiary NewBeneficiary(ValidClaim claim, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(), IdNumberHash = protector.LookupHash(claim.Id.Normalized!), IdNumberCipher = protector.Encrypt(claim.Id.Normalized!),
            IdNumberMasked = Masking.IdNumber(claim.Id.Normalized), Name = claim.Name, BirthDate = claim.Id.BirthDate!.Value,
            IsMale = claim.Id.Gender == Domain.Identity.Gender.Male, RegionCode = claim.RegionCode,
            BankAccountCipher = protector.Encrypt(claim.BankAccount), BankAccountMasked = Masking.BankAccount(claim.BankAccount),
            BankName = claim.BankName, CreatedAt = now, UpdatedAt = now,
        };

        private static ClaimLine NewLine(Application application, int lineNo, ValidClaim claim, ClaimEvaluation evaluation, Guid beneficiaryId)
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
                Id = Guid.CreateVersion7(), ApplicationId = application.Id, LineNo = lineNo, BeneficiaryId = beneficiaryId,
                RegionCode = claim.RegionCode, PolicyCode = application.PolicyCode, Period = application.Period, Name = claim.Name,
                IdNumberMasked = Masking.IdNumber(claim.Id.Normalized), FactsJson = FactsJson(claim.Facts),
                Amount = evaluation.Outcome == EvaluationOutcome.Eligible ? evaluation.Amount : null, Outcome = outcome,
                ReasonZh = zh, ReasonEn = en, RuleResultsJson = JsonSerializer.Serialize(evaluation.Rules, Json),
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

        private static string FactsJson(IReadOnlyDictionary<string, object?> facts) =>
            JsonSerializer.Serialize(facts.Where(f => f.Key is not ("IdNumber" or "RegionCode" or "AsOf")).ToDictionary(f => f.Key, f => f.Value), Json);
    }

    /// <summary>One activity per phase of a submission (validate, evaluate, protect, store), for tracing and the roster benchmark.</summary>
    public static readonly ActivitySource Phases = new(PhasesSourceName);

    /// <summary>The name of <see cref="Phases"/>, for listeners (a constant: reading it does not start the source).</summary>
    public const string PhasesSourceName = "OneCard.Host.SubmitApplication";

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
