using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Policies;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.RuleSets;

/// <summary>
/// Rule sets as governed data (规则集管理): list the stored versions, read one with its status and approval history, write a
/// draft (or import an exported file as one), submit it, export it byte for byte. Approval itself is a case action on the
/// engine (<c>POST /api/cases/RuleSet/{caseId}/actions/Approve</c>), where the definition keeps the author and the submitter
/// from approving.
/// </summary>
public static class RuleSetAdmin
{
    /// <summary>The definition every draft's approval runs under (its latest version).</summary>
    public const string ApprovalDefinitionId = "rule-set-approval";

    /// <summary>The largest rule set text accepted (a county table of every county in Liaoning is far below it).</summary>
    public const int MaxJsonBytes = 1024 * 1024;

    /// <summary>A version as listed: <c>status</c> as of today (Effective, Superseded read off the dates), <c>storedStatus</c> as stored.</summary>
    public sealed record VersionSummary(string PolicyCode, int Version, string VersionKey, string Status, string StatusZh,
        string StoredStatus, DateOnly EffectiveFrom, string Sha256, Guid? CaseId, string? AuthorId, string? SubmittedBy,
        string? ApprovedBy, DateTimeOffset RegisteredAt);
    public sealed record PolicyRuleSets(string PolicyCode, string NameZh, int? EffectiveVersion, IReadOnlyList<VersionSummary> Versions, string? NameEn = null);
    public sealed record HistoryEntry(DateTimeOffset At, string ActorId, string Action, string FromStep, string ToStep, string? Comment);
    /// <summary>
    /// A version with its approval. <c>Evidence</c>: for a draft, what a submission now would record (null with
    /// <c>EvidenceMissingZh</c> saying what to do when it would be refused); after submission, what was recorded.
    /// </summary>
    public sealed record VersionDetail(VersionSummary Version, string NameZh, string Json, string? Step, string? StepTitle,
        IReadOnlyList<string> PermittedActions, IReadOnlyList<HistoryEntry> History, Impact.Evidence? Evidence = null, string? EvidenceMissingZh = null,
        string? NameEn = null, string? EvidenceMissingEn = null);
    public sealed record Drafted(string VersionKey, Guid CaseId, string Status, DateOnly EffectiveFrom, string Sha256);
    public sealed record Located(string Path, string Message, string MessageEn);

    /// <summary>A draft refused: every problem, located (JSON path) and said in Chinese.</summary>
    public sealed class DraftRefusedException(IReadOnlyList<Located> errors) : Exception("The rule set draft is invalid.")
    {
        public IReadOnlyList<Located> Errors { get; } = errors;
    }

    public static string StatusZh(RuleSetStatus status) => status switch
    {
        RuleSetStatus.Draft => "草稿",
        RuleSetStatus.Submitted => "待审核",
        RuleSetStatus.Approved => "已批准，待生效",
        RuleSetStatus.Effective => "生效中",
        RuleSetStatus.Rejected => "未批准",
        RuleSetStatus.Superseded => "已被替代",
        _ => status.ToString(),
    };

    public static void MapRuleSets(this RouteGroupBuilder api)
    {
        var readers = new[] { Roles.PolicyOfficer, Roles.Supervisor };
        api.MapGet("/rulesets", async (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListRuleSets").WithSummary("Every policy's rule set versions with their status on today's date")
            .RequireAuthorization(p => p.RequireRole(readers));
        api.MapGet("/rulesets/{policy}/{version:int}", async (string policy, int version, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(policy, version, ct)))
            .WithName("GetRuleSet").WithSummary("One version: its JSON, status, effective date, approval history and the actions the user may take")
            .RequireAuthorization(p => p.RequireRole(readers));
        api.MapGet("/rulesets/{policy}/{version:int}/export", async (string policy, int version, Handler handler, CancellationToken ct) =>
            {
                var record = await handler.RecordAsync(policy, version, ct);
                return TypedResults.File(Encoding.UTF8.GetBytes(record.Json), "application/json", $"{record.PolicyCode}.v{record.Version}.json");
            })
            .WithName("ExportRuleSet").WithSummary("The version's JSON exactly as stored (the rules/ file format; importing it gives the same text)")
            .RequireAuthorization(p => p.RequireRole(readers));
        api.MapPost("/rulesets/{policy}/drafts", async Task<Results<Created<Drafted>, ProblemHttpResult>> (
                string policy, string? effectiveFrom, HttpRequest http, Handler handler, CancellationToken ct) =>
            {
                var json = await ReadBodyAsync(http, ct);
                return await Answer(() => handler.DraftAsync(policy, json, effectiveFrom, ct));
            })
            .WithName("DraftRuleSet").WithSummary("A new draft version from a rule set JSON body (?effectiveFrom=yyyy-MM-dd); 422 with located Chinese errors")
            .RequireAuthorization(p => p.RequireRole(Roles.PolicyOfficer));
        api.MapPost("/rulesets/import", async Task<Results<Created<Drafted>, ProblemHttpResult>> (HttpRequest http, Handler handler, CancellationToken ct) =>
            {
                var form = await http.ReadFormAsync(ct);
                var file = form.Files.GetFile("file")
                    ?? throw new OneCardException(ErrorKind.Invalid, "RuleSetFileMissing", "请选择要导入的规则集文件（表单字段 file）", "No file in the form field 'file'.");
                if (file.Length > MaxJsonBytes) throw TooLarge();
                string json;
                await using (var stream = file.OpenReadStream())
                    json = await ReadTextAsync(stream, ct);
                var policy = PolicyOf(json);
                return await Answer(() => handler.DraftAsync(policy, json, form["effectiveFrom"].ToString(), ct));
            })
            .WithName("ImportRuleSet").WithSummary("A new draft from an exported rule set file (form fields file, effectiveFrom)")
            .RequireAuthorization(p => p.RequireRole(Roles.PolicyOfficer)).DisableAntiforgery();
        api.MapReevaluate();
        api.MapImpact();
        api.MapPost("/rulesets/{policy}/{version:int}/submit", async (string policy, int version, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.SubmitAsync(policy, version, ct)))
            .WithName("SubmitRuleSet").WithSummary("Submits a draft for review (the case action Submit); another officer approves on the case")
            .RequireAuthorization(p => p.RequireRole(Roles.PolicyOfficer));
    }

    private static async Task<Results<Created<Drafted>, ProblemHttpResult>> Answer(Func<Task<Drafted>> draft)
    {
        try
        {
            var drafted = await draft();
            var (policy, version) = RuleSetVersionKey.Parse(drafted.VersionKey);
            return TypedResults.Created($"/api/rulesets/{policy}/{version}", drafted);
        }
        catch (DraftRefusedException refused)
        {
            return Problem(refused.Errors);
        }
    }

    /// <summary>422 with every located error: title and detail in the request's language, and the list as <c>errors</c>.</summary>
    public static ProblemHttpResult Problem(IReadOnlyList<Located> errors) => TypedResults.Problem(
        title: Resources.Ui.F("RuleSet.Problem", errors.Count),
        detail: string.Join(Resources.Ui.T("RuleSet.ListSeparator"), errors.Take(20).Select(e => Resources.Ui.F("RuleSet.Edit.At", e.Path) + Resources.Ui.Pick(e.Message, e.MessageEn))),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = RuleSetException.ErrorCode,
            ["errors"] = errors.Select(e => new { path = e.Path, message = e.Message, messageEn = e.MessageEn }).ToList(),
        });

    private static OneCardException TooLarge() => new(ErrorKind.Invalid, "RuleSetTooLarge",
        $"规则集文件超过{MaxJsonBytes / 1024}KB", $"The rule set is larger than {MaxJsonBytes / 1024} KB.");

    private static async Task<string> ReadBodyAsync(HttpRequest http, CancellationToken ct)
    {
        if (http.ContentLength > MaxJsonBytes) throw TooLarge();
        return await ReadTextAsync(http.Body, ct);
    }

    /// <summary>The text as sent (UTF-8, a BOM dropped), never re-serialised: what is stored is what was written.</summary>
    private static async Task<string> ReadTextAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxJsonBytes) throw TooLarge();
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.ToArray()).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new DraftRefusedException([new Located("$", "文件不是有效的 UTF-8 文本", "the text is not valid UTF-8")]);
        }
    }

    /// <summary>The policy an imported file names (its own check comes with the draft).</summary>
    private static string PolicyOf(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("policyCode", out var code) && code.ValueKind == System.Text.Json.JsonValueKind.String)
                return code.GetString()!;
        }
        catch (System.Text.Json.JsonException)
        {
            // The loader reports the malformed JSON with its line and column.
        }
        return "";
    }

    /// <summary>The use cases; the endpoints and the pages call them.</summary>
    public sealed class Handler(
        OneCardDbContext db,
        UserContext user,
        RuleSetStore store,
        IEnumerable<IRuleSetDraftCheck> checks,
        WorkflowCatalog workflows,
        CaseEngine engine,
        CaseActions.Handler cases,
        AuditWriter audit,
        TimeProvider time)
    {
        private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(WorkingDayCalendar.Offset).DateTime);

        public async Task<IReadOnlyList<PolicyRuleSets>> ListAsync(CancellationToken ct)
        {
            var records = await db.RuleSets.AsNoTracking()
                .Select(r => new RuleSetRecord
                {
                    VersionKey = r.VersionKey, PolicyCode = r.PolicyCode, Version = r.Version, Sha256 = r.Sha256, Json = "", RegisteredAt = r.RegisteredAt,
                    Status = r.Status, EffectiveFrom = r.EffectiveFrom, CaseId = r.CaseId, AuthorId = r.AuthorId, SubmittedBy = r.SubmittedBy,
                    ApprovedBy = r.ApprovedBy,
                }).ToListAsync(ct);
            var today = Today;
            return [.. records.GroupBy(r => r.PolicyCode).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var versions = g.OrderByDescending(r => r.Version).Select(r => Summary(r, g, today)).ToList();
                return new PolicyRuleSets(g.Key, NameOf(g.Key), store.EffectiveOn(g.Key, today)?.Version, versions, NameEnOf(g.Key));
            })];
        }

        public async Task<VersionDetail> GetAsync(string policy, int version, CancellationToken ct)
        {
            var record = await RecordAsync(policy, version, ct);
            var siblings = await db.RuleSets.AsNoTracking().Where(r => r.PolicyCode == policy)
                .Select(r => new RuleSetRecord
                {
                    VersionKey = r.VersionKey, PolicyCode = r.PolicyCode, Version = r.Version, Sha256 = "", Json = "",
                    Status = r.Status, EffectiveFrom = r.EffectiveFrom,
                }).ToListAsync(ct);
            var summary = Summary(record, siblings, Today);
            var (evidence, missing) = record.Status == RuleSetStatus.Draft && record.CaseId is not null
                ? await Impact.FindEvidenceAsync(db, record, ct) : (Impact.ReadEvidence(record.EvidenceJson), null);
            if (record.CaseId is not { } caseId)
                return new VersionDetail(summary, NameOf(policy, version), record.Json, null, null, [],
                    [new HistoryEntry(record.RegisteredAt, record.AuthorId ?? Roles.System, "Seed", "", "", "随程序发布的规则集文件（rules/）登记为生效版本")], NameEn: NameEnOf(policy, version));
            var view = await cases.GetAsync(new CaseSubject(SubjectKinds.RuleSet, caseId), ct);
            return new VersionDetail(summary, NameOf(policy, version), record.Json, view.Step, view.StepTitle, view.PermittedActions,
                [.. view.History.Select(h => new HistoryEntry(h.At, h.ActorId, h.Action, h.FromStep, h.ToStep, h.Comment))], evidence, missing?.MessageZh,
                NameEnOf(policy, version), missing?.MessageEn);
        }

        /// <summary>The version whose approval case is <paramref name="caseId"/> (the generic case page's rule set panel).</summary>
        public async Task<VersionDetail> GetByCaseAsync(Guid caseId, CancellationToken ct)
        {
            var key = await db.RuleSets.AsNoTracking().Where(r => r.CaseId == caseId).Select(r => new { r.PolicyCode, r.Version }).SingleOrDefaultAsync(ct)
                ?? throw new OneCardException(ErrorKind.NotFound, "RuleSetNotFound", "该审批案件没有对应的规则集版本", $"No rule set version has case {caseId}.");
            return await GetAsync(key.PolicyCode, key.Version, ct);
        }

        public async Task<RuleSetRecord> RecordAsync(string policy, int version, CancellationToken ct) =>
            await db.RuleSets.AsNoTracking().SingleOrDefaultAsync(r => r.PolicyCode == policy && r.Version == version, ct)
            ?? throw new OneCardException(ErrorKind.NotFound, "RuleSetNotFound", $"规则集 {policy} v{version} 不存在", $"No rule set {policy}@{version}.");

        /// <summary>
        /// Stores <paramref name="json"/> verbatim as a new Draft of <paramref name="policy"/> and opens its approval case, or refuses
        /// with every located problem: the loader's (structure, the expression gate), the route's policy, the version (above every
        /// stored one), the checks a latest version must pass, and the effective date (yyyy-MM-dd, not before today).
        /// </summary>
        public async Task<Drafted> DraftAsync(string policy, string json, string? effectiveFrom, CancellationToken ct)
        {
            var author = user.Required;
            var errors = new List<Located>();
            var today = Today;
            DateOnly from = default;
            if (string.IsNullOrWhiteSpace(effectiveFrom))
                errors.Add(new Located("effectiveFrom", "请填写生效日期（yyyy-MM-dd）", "effectiveFrom (yyyy-MM-dd) is required"));
            else if (!DateOnly.TryParseExact(effectiveFrom.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
                errors.Add(new Located("effectiveFrom", $"生效日期“{Echo(effectiveFrom)}”格式不对，应为 yyyy-MM-dd", "effectiveFrom must be yyyy-MM-dd"));
            else if (from < today)
                errors.Add(new Located("effectiveFrom", $"生效日期 {from:yyyy-MM-dd} 早于今天（{today:yyyy-MM-dd}），不能追溯生效", "effectiveFrom is in the past"));

            RuleSet? ruleSet = null;
            try
            {
                ruleSet = RuleSetLoader.Load(json, $"{policy} 草稿");
            }
            catch (RuleSetException e)
            {
                errors.AddRange(e.Errors.Select(x => new Located(x.Path, x.MessageZh, x.MessageEn)));
            }
            if (ruleSet is not null)
            {
                if (ruleSet.PolicyCode != policy)
                    errors.Add(new Located("policyCode", $"规则集的政策代码是 {ruleSet.PolicyCode}，与所选政策 {Echo(policy)} 不符",
                        $"the rule set is for {ruleSet.PolicyCode}, not {policy}"));
                else if (!await db.Policies.AnyAsync(p => p.Code == policy, ct))
                    errors.Add(new Located("policyCode", $"补贴政策 {Echo(policy)} 不在政策清单中，请先登记政策", $"policy {policy} is not on the policy list"));
                var highest = await db.RuleSets.Where(r => r.PolicyCode == ruleSet.PolicyCode).MaxAsync(r => (int?)r.Version, ct) ?? 0;
                if (ruleSet.Version <= highest)
                    errors.Add(new Located("version", $"版本 {ruleSet.Version} 已存在（现有最高版本为 {highest}），新草稿的版本应为 {highest + 1}",
                        $"version {ruleSet.Version} exists (highest {highest}); a new draft is version {highest + 1}"));
                foreach (var check in checks)
                    errors.AddRange(check.Check(ruleSet).Select(x => new Located(x.Path, x.MessageZh, x.MessageEn)));
            }
            if (errors.Count > 0 || ruleSet is null) throw new DraftRefusedException(errors);

            var now = time.GetUtcNow();
            var caseId = Guid.CreateVersion7();
            var record = new RuleSetRecord
            {
                VersionKey = ruleSet.VersionKey, PolicyCode = ruleSet.PolicyCode, Version = ruleSet.Version, Sha256 = ruleSet.Sha256, Json = json,
                RegisteredAt = now, Status = RuleSetStatus.Draft, EffectiveFrom = from, CaseId = caseId, AuthorId = author.Id,
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.RuleSets.Add(record);
            await audit.AppendAsync(db, author.Id, "RuleSetDrafted", SubjectKinds.RuleSet, caseId.ToString(), author.RegionCode,
                new { ruleSet = record.VersionKey, sha256 = record.Sha256, effectiveFrom = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, ct);
            await engine.StartAsync(new CaseEngine.NewCase(new CaseSubject(SubjectKinds.RuleSet, caseId), record.VersionKey, author.RegionCode, record.PolicyCode),
                workflows.Latest(ApprovalDefinitionId), ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e)
            {
                // Two officers saving the same next version at once: the unique key lets one through.
                throw new OneCardException(ErrorKind.Conflict, "RuleSetVersionTaken", $"版本 {record.VersionKey} 刚被他人保存，请改用下一个版本号",
                    $"{record.VersionKey} could not be stored (taken by someone else just now?): {e.InnerException?.Message ?? e.Message}");
            }
            await tx.CommitAsync(ct);
            await store.ReloadAsync(ct);
            return new Drafted(record.VersionKey, caseId, record.Status.ToString(), record.EffectiveFrom, record.Sha256);
        }

        /// <summary>Fires the case action <c>Submit</c> on the version's approval case (only a Draft has one to fire).</summary>
        public async Task<CaseActions.ActionResult> SubmitAsync(string policy, int version, CancellationToken ct)
        {
            var record = await RecordAsync(policy, version, ct);
            if (record.CaseId is not { } caseId || record.Status != RuleSetStatus.Draft)
                throw new OneCardException(ErrorKind.Conflict, "RuleSetNotDraft", $"规则集 {policy} v{version} 不是草稿（当前：{StatusZh(record.Status)}），不能提交",
                    $"{policy}@{version} is not a draft.");
            var r = await engine.ActAsync(new CaseSubject(SubjectKinds.RuleSet, caseId), "Submit", null, ct);
            return new CaseActions.ActionResult(r.FromStep, r.Action, r.ToStep, r.Deadline?.DueAt);
        }

        private string NameOf(string policy, int? version = null) =>
            (version is { } v ? store.All.FirstOrDefault(r => r.PolicyCode == policy && r.Version == v) : null)?.Name.Zh
            ?? store.All.LastOrDefault(r => r.PolicyCode == policy)?.Name.Zh ?? policy;

        private string? NameEnOf(string policy, int? version = null) =>
            (version is { } v ? store.All.FirstOrDefault(r => r.PolicyCode == policy && r.Version == v) : null)?.Name.En
            ?? store.All.LastOrDefault(r => r.PolicyCode == policy)?.Name.En;

        private static VersionSummary Summary(RuleSetRecord r, IEnumerable<RuleSetRecord> siblings, DateOnly today)
        {
            var status = r.StatusOn(today, siblings);
            return new VersionSummary(r.PolicyCode, r.Version, r.VersionKey, status.ToString(), StatusZh(status), r.Status.ToString(), r.EffectiveFrom, r.Sha256, r.CaseId,
                r.AuthorId, r.SubmittedBy, r.ApprovedBy, r.RegisteredAt);
        }

        private static string Echo(string text) => text.Length <= 40 ? text : text[..40] + "…";
    }
}
