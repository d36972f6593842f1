using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Host.RuleSets;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.Evaluation;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>
/// Correcting lines (更正明细, issue 10 item 1): in a step whose definition says <c>allowsLineCorrections</c> (standard-subsidy v5:
/// 退回修改 and 乡镇审核), whoever may act on that step edits one line's facts, or replaces lines from a new roster file matched by
/// ID number. Each corrected line is validated by the roster's <see cref="ClaimValidator"/> (same located messages), evaluated
/// again under the case's PINNED rule set version (never a newer one), and its outcome, amount and reasons replaced; the
/// application's totals move by the difference. All or nothing: any bad value changes nothing. Each corrected line gets a
/// <see cref="LineCorrection"/> row and an audit entry with its facts and outcome before and after (ID number and name masked).
/// </summary>
/// <remarks>
/// A replacement file: a row whose ID number is no line of the case is refused (a new person is a new application, not a
/// correction); a line of the case the file does not name stays as it is; a row whose 姓名 differs from the line's is refused
/// (the person is identified by ID number and name; neither is corrected here). Bank account and bank name are validated as in a
/// roster but not changed (the one-card account has its own history). Rows that change nothing are skipped.
/// </remarks>
public static class CorrectLines
{
    public sealed record EditRequest(Dictionary<string, JsonElement>? Facts);
    /// <param name="Before">The value as shown before (a personal fact masked); "" when it was not set.</param>
    public sealed record FactChange(string Fact, string Label, string Before, string After);
    public sealed record LineResult(int LineNo, string OutcomeBefore, decimal? AmountBefore, string OutcomeAfter, decimal? AmountAfter,
        string? ReasonZh, IReadOnlyList<FactChange> Changes);
    public sealed record Result(string RuleSet, int Corrected, int EligibleCount, decimal PayableBefore, decimal PayableAfter, IReadOnlyList<LineResult> Lines);
    /// <summary>A correction as the reviewer sees it.</summary>
    public sealed record CorrectionView(Guid Id, int LineNo, string NameMasked, string IdNumberMasked, string Step, string StepTitle, string Source,
        string CorrectedBy, string CorrectedByName, DateTimeOffset CorrectedAt, IReadOnlyList<FactChange> Changes,
        string OutcomeBefore, decimal? AmountBefore, string OutcomeAfter, decimal? AmountAfter, string RuleSetKey);
    /// <summary>A supplied fact the correction form asks for: its name, label (as the rule set pages show it), type and bounds.</summary>
    public sealed record FactField(string Name, string Label, string Type, decimal? Minimum, decimal? Maximum, int? MaxLength);
    /// <param name="CanCorrect">The current user may correct lines of this case now.</param>
    /// <param name="ReturnedAt">When the case was last returned for correction (null if never): <see cref="Corrections"/> are those since then.</param>
    public sealed record Overview(bool CanCorrect, IReadOnlyList<FactField> Fields, DateTimeOffset? ReturnedAt, IReadOnlyList<CorrectionView> Corrections);

    /// <summary>What a correction came to: the result, or the located errors (nothing changed).</summary>
    public sealed record Outcome(Result? Result, LineErrors Errors);

    public static void AddLineCorrections(this IServiceCollection services) => services.AddScoped<Handler>();

    public static void MapLineCorrections(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/{id:guid}/corrections", async Task<Ok<Overview>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.OverviewAsync(id, ct)))
            .WithName("ListLineCorrections")
            .WithSummary("The case's line corrections since it was last returned, whether the user may correct now, and the form's fields");
        api.MapPut("/applications/{id:guid}/lines/{lineNo:int}/facts", async Task<Results<Ok<Result>, ProblemHttpResult>> (
                Guid id, int lineNo, EditRequest request, Handler handler, CancellationToken ct) =>
            {
                var facts = (request.Facts ?? []).ToDictionary(f => f.Key,
                    f => f.Value.ValueKind switch
                    {
                        JsonValueKind.String => f.Value.GetString(),
                        JsonValueKind.Null => null,
                        JsonValueKind.True => "是",
                        JsonValueKind.False => "否",
                        _ => f.Value.GetRawText(),
                    }, StringComparer.Ordinal);
                var outcome = await handler.EditAsync(id, lineNo, facts, ct);
                return outcome.Errors.Count > 0 ? Problem(outcome.Errors, "条") : TypedResults.Ok(outcome.Result!);
            })
            .WithName("CorrectLineFacts")
            .WithSummary("Corrects one line's facts (only the facts given change); validated, re-evaluated under the case's pinned rule set, audited")
            .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk));
        api.MapPost("/applications/{id:guid}/lines/replace", async Task<Results<Ok<Result>, ProblemHttpResult>> (
                Guid id, IFormFile file, Handler handler, CancellationToken ct) =>
            {
                await using var content = file.OpenReadStream();
                using var roster = RosterReader.Open(content, file.FileName);
                var outcome = await handler.ReplaceAsync(id, roster, ct);
                return outcome.Errors.Count > 0 ? Problem(outcome.Errors, "行") : TypedResults.Ok(outcome.Result!);
            })
            .WithName("ReplaceLinesFromFile")
            .WithSummary("Replaces lines' facts from a roster file (CSV/xlsx) matched by ID number (row = spreadsheet row, header = 1); all or nothing")
            .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk)).DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxFileBytes + 1024 * 1024));
    }

    /// <summary>A replacement file is a few corrected lines, not a roster: 10 MB is ample.</summary>
    public const long MaxFileBytes = 10L * 1024 * 1024;

    /// <summary>422 with every located error, in the roster's shape (row, field, code, message).</summary>
    public static ProblemHttpResult Problem(LineErrors errors, string unit) => TypedResults.Problem(
        title: $"更正被拒绝：{errors.Rows}{unit}共{errors.Total}处错误，未作任何更改",
        detail: string.Join("；", errors.Take(20).Select(e => $"第{e.Row}{unit}【{e.Field}】{e.MessageZh}")),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = "CorrectionInvalid",
            ["errors"] = errors.Take(SubmissionReports.ShownInResponse)
                .Select(e => new { row = e.Row, field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
            ["errorCount"] = errors.Total,
        });

    /// <summary>The facts a clerk supplies for a line (roster columns beyond the standard ones), in declared order.</summary>
    public static IReadOnlyList<FactDefinition> Editable(RuleSet ruleSet) =>
        [.. ruleSet.Facts.Where(f => f.IsFromRoster && f.Name is not ("IdNumber" or "RegionCode" or "AsOf"))];

    /// <summary>The use case; the endpoints and the case page call it.</summary>
    public sealed class Handler(
        OneCardDbContext db,
        UserContext user,
        RuleSetStore ruleSets,
        RuleEvaluator evaluator,
        WorkflowCatalog workflows,
        RegionDirectory regions,
        PersonalDataProtector protector,
        CaseEngine engine,
        AuditWriter audit,
        TimeProvider time)
    {
        public async Task<Overview> OverviewAsync(Guid applicationId, CancellationToken ct)
        {
            var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            // An inspector sees only the lines drawn for the check (ReadApplications), so none of the case's corrections.
            if (user.User is { } u && (u.IsThirdParty || u.Roles.All(r => r == Roles.Inspector)))
                throw OneCardException.NotFound("Application", "申报");
            var instance = await InstanceAsync(applicationId, ct, tracked: false);
            var ruleSet = Pinned(application);
            var canCorrect = await RefusalAsync(instance, ct) is null;
            var returnedAt = await db.WorkflowEvents.AsNoTracking().Where(e => e.InstanceId == instance.Id && e.ToStep == "Returned")
                .OrderByDescending(e => e.Seq).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
            var query = db.LineCorrections.AsNoTracking().Where(c => c.ApplicationId == applicationId);
            if (returnedAt is { } since) query = query.Where(c => c.CorrectedAt >= since);
            var rows = (await query.ToListAsync(ct)).OrderBy(c => c.CorrectedAt).ThenBy(c => c.LineNo).ToList();
            var names = await Tasks.ActorNames.ResolveAsync(db, regions, rows.Select(r => r.CorrectedBy).Distinct(), ct);
            var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
            return new Overview(canCorrect,
                [.. Editable(ruleSet).Select(f => new FactField(f.Name, FactValues.Label(f), f.Type.ToString(), f.Minimum, f.Maximum, f.MaxLength))],
                returnedAt,
                [.. rows.Select(r => new CorrectionView(r.Id, r.LineNo, r.NameMasked, r.IdNumberMasked, r.Step, definition.TitleZhOf(r.Step), r.Source.ToString(),
                    r.CorrectedBy, names.GetValueOrDefault(r.CorrectedBy, r.CorrectedBy), r.CorrectedAt,
                    JsonSerializer.Deserialize<List<FactChange>>(r.ChangesJson, Json) ?? [], r.OutcomeBefore.ToString(), r.AmountBefore,
                    r.OutcomeAfter.ToString(), r.AmountAfter, r.RuleSetKey))]);
        }

        /// <summary>Corrects one line's facts: the facts given replace the stored ones, the others stay.</summary>
        public async Task<Outcome> EditAsync(Guid applicationId, int lineNo, IReadOnlyDictionary<string, string?> facts, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (application, instance, ruleSet) = await BeginAsync(applicationId, ct);
            var line = await db.ClaimLines.SingleOrDefaultAsync(l => l.ApplicationId == applicationId && l.LineNo == lineNo, ct)
                ?? throw new OneCardException(ErrorKind.NotFound, "LineNotFound", $"本申报没有第{lineNo}条明细", $"The application has no line {lineNo}.");
            var editable = Editable(ruleSet);
            var errors = new LineErrors();
            foreach (var name in facts.Keys.Where(k => editable.All(f => f.Name != k && f.LabelZh != k)))
                errors.Add(lineNo, name, "FactNotDeclared", $"规则集 {ruleSet.VersionKey} 没有名为“{LineErrors.Echo(name)}”的可填写事实",
                    $"Rule set {ruleSet.VersionKey} declares no supplied fact '{LineErrors.Echo(name)}'.");
            var values = StoredValues(line, editable);
            foreach (var (key, value) in facts)
                if (editable.FirstOrDefault(f => f.Name == key || f.LabelZh == key) is { } fact) values[fact.Name] = value;
            var person = await PersonAsync([line], ct);
            var input = new ClaimInput(lineNo, line.Name, person[line.BeneficiaryId].IdNumber, line.RegionCode, person[line.BeneficiaryId].BankAccount,
                person[line.BeneficiaryId].BankName, values);
            var claims = Validate([(line, input)], ruleSet, application.RegionCode, errors);
            if (errors.Total > 0) return new Outcome(null, errors);
            var result = await ApplyAsync(application, instance, ruleSet, claims, person, LineCorrectionSource.Form, ct);
            if (result.Corrected == 0)
                throw new OneCardException(ErrorKind.Invalid, "NothingChanged", $"第{lineNo}条明细的事实没有变化，无需更正",
                    $"Line {lineNo}'s facts are unchanged.");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Outcome(result, errors);
        }

        /// <summary>Replaces lines' facts from a roster file, matched by ID number (see the class remarks for new and missing ones).</summary>
        public async Task<Outcome> ReplaceAsync(Guid applicationId, RosterFile roster, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (application, instance, ruleSet) = await BeginAsync(applicationId, ct);
            var errors = new LineErrors();
            ClaimValidator.CheckHeaders(roster.Headers, ruleSet, errors, roster.EncodingZh);
            if (errors.Total > 0) return new Outcome(null, errors);
            var rows = roster.Rows(errors).Select(ClaimValidator.FromRow).ToList();
            if (errors.Total > 0) return new Outcome(null, errors);
            if (rows.Count == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoLines", "文件中没有明细行", "The file has no data rows.");

            var lines = await db.ClaimLines.Where(l => l.ApplicationId == applicationId).OrderBy(l => l.LineNo).ToListAsync(ct);
            var person = await PersonAsync(lines, ct);
            var byId = lines.ToDictionary(l => person[l.BeneficiaryId].IdNumber, StringComparer.OrdinalIgnoreCase);
            var matched = new List<(ClaimLine, ClaimInput)>();
            foreach (var row in rows)
            {
                var id = Domain.Identity.IdNumber.Check(row.IdNumber, Today, _ => true, ClaimValidator.Columns.IdNumber).Normalized ?? row.IdNumber?.Trim() ?? "";
                if (!byId.TryGetValue(id, out var line))
                {
                    errors.Add(row.Row, ClaimValidator.Columns.IdNumber, "LineNotInApplication",
                        $"本申报中没有身份证号为“{Masking.IdNumber(id)}”的明细（更正只能修改已申报人员；新增人员请另行申报）",
                        $"No line of the application has ID number {Masking.IdNumber(id)}; a new person needs a new application.");
                    continue;
                }
                if ((row.Name?.Trim() ?? "") != line.Name)
                    errors.Add(row.Row, ClaimValidator.Columns.Name, "NameDiffers",
                        $"姓名“{Masking.Name(row.Name)}”与第{line.LineNo}条明细的姓名“{Masking.Name(line.Name)}”不一致（更正不修改姓名）",
                        $"The name differs from line {line.LineNo}'s; a correction does not change names.");
                matched.Add((line, row));
            }
            var claims = Validate(matched, ruleSet, application.RegionCode, errors);
            if (errors.Total > 0) return new Outcome(null, errors);
            var result = await ApplyAsync(application, instance, ruleSet, claims, person, LineCorrectionSource.File, ct);
            if (result.Corrected == 0)
                throw new OneCardException(ErrorKind.Invalid, "NothingChanged", "文件中各行的事实与现有明细相同，无需更正",
                    "No row of the file changes a line's facts.");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Outcome(result, errors);
        }

        private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(WorkingDayCalendar.Offset).DateTime);

        private async Task<WorkflowInstance> InstanceAsync(Guid applicationId, CancellationToken ct, bool tracked = true)
        {
            var query = db.WorkflowInstances.Where(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == applicationId);
            return await (tracked ? query : query.AsNoTracking()).SingleAsync(ct);
        }

        /// <summary>The case, locked as every case action locks it, after checking the step allows corrections by this user.</summary>
        private async Task<(Application, WorkflowInstance, RuleSet)> BeginAsync(Guid applicationId, CancellationToken ct)
        {
            var application = await db.Applications.SingleOrDefaultAsync(a => a.Id == applicationId, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            var instance = await InstanceAsync(applicationId, ct);
            await db.LockAsync(instance, ct);
            if (await RefusalAsync(instance, ct) is { } refusal) throw refusal;
            return (application, instance, Pinned(application));
        }

        /// <summary>Why the current user may not correct this case's lines now, or null: the step must allow corrections and the
        /// user must be one who may act on it (its role on this case's policy; region by the database's scope; separation of duties).</summary>
        private async Task<OneCardException?> RefusalAsync(WorkflowInstance instance, CancellationToken ct)
        {
            if (user.User is null) return new OneCardException(ErrorKind.Forbidden, "NotSignedIn", "请先登录", "Sign in first.");
            var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
            var step = definition.Step(instance.Step);
            if (instance.IsFinal || !step.AllowsLineCorrections)
            {
                var allowed = definition.Steps.Where(s => s.AllowsLineCorrections).Select(s => s.TitleZh).ToList();
                return new OneCardException(ErrorKind.Conflict, "CorrectionNotAllowed",
                    $"案件处于“{step.TitleZh}”环节，不能更正明细" + (allowed.Count > 0
                        ? $"（流程 {definition.VersionKey} 仅在{string.Join("、", allowed)}环节允许更正）"
                        : $"（流程 {definition.VersionKey} 不允许更正明细）"),
                    $"The case is in step {step.Name}; workflow {definition.VersionKey} allows line corrections only in {string.Join(", ", definition.Steps.Where(s => s.AllowsLineCorrections).Select(s => s.Name))}.");
            }
            if (step.Role is not { } role || !(await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(role))
                return new OneCardException(ErrorKind.Forbidden, "CorrectionRoleRequired",
                    $"只有{Components.Shared.RoleNames.Zh(step.Role ?? "")}可以在“{step.TitleZh}”环节更正明细",
                    $"Only role {step.Role} may correct lines in step {step.Name}.");
            try { await engine.EnsureSeparatedAsync(instance, ct); }
            catch (OneCardException e) { return e; }
            return null;
        }

        private RuleSet Pinned(Application application) =>
            ruleSets.Entries.TryGetValue(application.RuleSetKey, out var entry) ? entry.RuleSet
                : throw new InvalidOperationException($"The case's rule set {application.RuleSetKey} is not loaded.");

        private sealed record Person(string IdNumber, string BankAccount, string? BankName);

        private async Task<Dictionary<Guid, Person>> PersonAsync(IReadOnlyList<ClaimLine> lines, CancellationToken ct)
        {
            var ids = lines.Select(l => l.BeneficiaryId).Distinct().ToList();
            var rows = await db.Beneficiaries.IgnoreQueryFilters().AsNoTracking().Where(b => ids.Contains(b.Id))
                .Select(b => new { b.Id, b.IdNumberCipher, b.BankAccountCipher, b.BankName }).ToListAsync(ct);
            return rows.ToDictionary(b => b.Id, b => new Person(protector.Decrypt(b.IdNumberCipher),
                b.BankAccountCipher is null ? "" : protector.Decrypt(b.BankAccountCipher), b.BankName));
        }

        /// <summary>The line's supplied facts as text, as the form shows them (the defaults of an edit).</summary>
        private static Dictionary<string, string?> StoredValues(ClaimLine line, IReadOnlyList<FactDefinition> editable)
        {
            using var stored = JsonDocument.Parse(line.FactsJson);
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var fact in editable)
                values[fact.Name] = stored.RootElement.TryGetProperty(fact.Name, out var v) ? FactValues.Format(fact, v) : null;
            return values;
        }

        /// <summary>The roster's validator, line by line, over the corrected inputs (duplicates within the file are its errors too).</summary>
        private List<(ClaimLine Line, ValidClaim Claim)> Validate(IReadOnlyList<(ClaimLine Line, ClaimInput Input)> inputs, RuleSet ruleSet,
            string applicationRegion, LineErrors errors)
        {
            var pass = new ClaimValidator(regions.Codes, Today).Begin(ruleSet, applicationRegion, errors);
            var valid = new List<(ClaimLine, ValidClaim)>();
            foreach (var (line, input) in inputs)
                if (pass.Next(input) is { } claim) valid.Add((line, claim));
            return valid;
        }

        /// <summary>Re-evaluates the changed lines under the pinned rule set, replaces their results, moves the totals, records and audits.</summary>
        private async Task<Result> ApplyAsync(Application application, WorkflowInstance instance, RuleSet ruleSet,
            IReadOnlyList<(ClaimLine Line, ValidClaim Claim)> claims, Dictionary<Guid, Person> person, LineCorrectionSource source, CancellationToken ct)
        {
            var me = user.Required;
            var now = time.GetUtcNow();
            var editable = Editable(ruleSet);
            // The evaluation day the case was decided on: its submission day (China time), as at submission and re-evaluation.
            var asOf = DateOnly.FromDateTime(application.SubmittedAt.ToOffset(WorkingDayCalendar.Offset).DateTime);
            var changed = new List<(ClaimLine Line, string FactsJson, List<FactChange> Changes)>();
            foreach (var (line, claim) in claims)
            {
                var merged = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line.FactsJson, Json) ?? [];
                var changes = new List<FactChange>();
                foreach (var fact in editable)
                {
                    var before = merged.TryGetValue(fact.Name, out var b) ? FactValues.Format(fact, b) : "";
                    claim.Facts.TryGetValue(fact.Name, out var value);
                    var after = FactValues.Format(fact, value);
                    if (before == after) continue;
                    merged[fact.Name] = JsonSerializer.SerializeToElement(value, Json);
                    changes.Add(fact.Personal ? new FactChange(fact.Name, FactValues.Label(fact), Masked(before), Masked(after))
                        : new FactChange(fact.Name, FactValues.Label(fact), before, after));
                }
                if (changes.Count > 0) changed.Add((line, JsonSerializer.Serialize(merged, Json), changes));
            }

            var evaluations = evaluator.EvaluateMany(ruleSet, [.. changed.Select(c =>
                StoredFacts.Bind(ruleSet, c.FactsJson, person[c.Line.BeneficiaryId].IdNumber, c.Line.RegionCode, asOf))]);
            var payableBefore = application.PayableAmount;
            var results = new List<LineResult>(changed.Count);
            for (var i = 0; i < changed.Count; i++)
            {
                var (line, factsJson, changes) = changed[i];
                var (outcomeBefore, amountBefore, reasonBefore) = (line.Outcome, line.Amount, line.ReasonZh);
                line.FactsJson = factsJson;
                Reevaluate.Handler.Apply(line, evaluations[i]);
                // The totals move by the difference: only an eligible line counts and pays.
                if (outcomeBefore == LineOutcome.Eligible) { application.EligibleCount--; application.PayableAmount -= amountBefore ?? 0m; }
                if (line.Outcome == LineOutcome.Eligible) { application.EligibleCount++; application.PayableAmount += line.Amount ?? 0m; }
                db.LineCorrections.Add(new LineCorrection
                {
                    Id = RowIds.Next(now), ApplicationId = application.Id, InstanceId = instance.Id, ClaimLineId = line.Id, LineNo = line.LineNo,
                    RegionCode = application.RegionCode, PolicyCode = application.PolicyCode, Step = instance.Step, Source = source,
                    CorrectedBy = me.Id, CorrectedAt = now, NameMasked = Masking.Name(line.Name), IdNumberMasked = line.IdNumberMasked,
                    ChangesJson = JsonSerializer.Serialize(changes, Json), OutcomeBefore = outcomeBefore, OutcomeAfter = line.Outcome,
                    AmountBefore = amountBefore, AmountAfter = line.Amount, RuleSetKey = ruleSet.VersionKey,
                });
                await audit.AppendAsync(db, me.Id, "ClaimLineCorrected", SubjectKinds.Application, application.Id.ToString(), application.RegionCode, new
                {
                    number = application.Number, step = instance.Step, source = source.ToString(), line = line.LineNo,
                    name = Masking.Name(line.Name), idNumber = line.IdNumberMasked, ruleSet = ruleSet.VersionKey, ruleSetSha256 = ruleSet.Sha256,
                    facts = changes.Select(c => new { fact = c.Fact, label = c.Label, before = c.Before, after = c.After }),
                    before = new { outcome = outcomeBefore.ToString(), amount = amountBefore, reason = reasonBefore },
                    after = new { outcome = line.Outcome.ToString(), amount = line.Amount, reason = line.ReasonZh },
                    payableBefore = application.PayableAmount - (line.Outcome == LineOutcome.Eligible ? line.Amount ?? 0m : 0m)
                        + (outcomeBefore == LineOutcome.Eligible ? amountBefore ?? 0m : 0m),
                    payableAfter = application.PayableAmount,
                }, ct);
                results.Add(new LineResult(line.LineNo, outcomeBefore.ToString(), amountBefore, line.Outcome.ToString(), line.Amount, line.ReasonZh, changes));
            }
            return new Result(ruleSet.VersionKey, changed.Count, application.EligibleCount, payableBefore, application.PayableAmount, results);
        }

        private static string Masked(string value) => value.Length == 0 ? "" : "***";
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
