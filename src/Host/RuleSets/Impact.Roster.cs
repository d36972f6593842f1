using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Policies;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.RuleSets;

/// <summary>
/// Impact over an uploaded roster (上传花名册测算): the file is read by the roster upload's own reader and validator (the template
/// of the policy gives its format), each line is evaluated under the version in force today (the baseline) and under the version
/// tested, both on today's date, and compared exactly as the stored run compares. Nothing of the file is kept but the run's
/// figures (changed lines masked), its name, SHA-256 and row count; a bad file is refused whole with every problem located.
/// </summary>
public static partial class Impact
{
    /// <summary>The most data rows an uploaded roster may have for a run (a run is a sample, not a submission).</summary>
    public const int MaxUploadRows = 100_000;

    /// <summary>What an upload came to: the saved run, or its located errors (nothing saved), and how many rows were read.</summary>
    public sealed record UploadOutcome(RunView? Run, LineErrors Errors, int RowCount, string? EncodingZh);

    private static void MapImpactUpload(this RouteGroupBuilder api)
    {
        api.MapPost("/rulesets/{policy}/{version:int}/impact/upload", async Task<Results<Ok<RunView>, ProblemHttpResult>> (
                string policy, int version, HttpRequest http, UploadHandler handler, CancellationToken ct) =>
            {
                // Read here, not bound: a body over the limit is the Chinese 413 below, not the framework's.
                var form = await http.ReadFormAsync(ct);
                var file = form.Files.GetFile("file")
                    ?? throw new OneCardException(ErrorKind.Invalid, "RosterFileMissing", "请选择要测算的花名册文件（表单字段 file）", "No file in the form field 'file'.");
                if (file.Length > RosterReader.MaxUploadBytes) throw new BadHttpRequestException("Roster too large.", StatusCodes.Status413PayloadTooLarge);
                await using var stream = file.OpenReadStream();
                var outcome = await handler.RunAsync(policy, version, stream, file.FileName, form["period"].ToString(), ct);
                return outcome.Run is { } run ? TypedResults.Ok(run) : UploadProblem(outcome);
            })
            .WithName("RunRuleSetImpactOnRoster")
            .WithSummary("Runs a rule set version over an uploaded roster (multipart: file = the policy's roster template format, period optional) against the version in force today; only the figures are saved")
            .RequireAuthorization(p => p.RequireRole(Roles.PolicyOfficer)).DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RosterReader.MaxUploadBytes + 1024 * 1024))
            .WithMetadata(new RequestTooLargeProblem(new OneCardException(ErrorKind.Invalid, "RosterTooLarge",
                $"文件超过{RosterReader.MaxUploadBytes / 1024 / 1024}MB，请抽取部分行后再测算", $"The file is larger than {RosterReader.MaxUploadBytes / 1024 / 1024} MB.")));
    }

    /// <summary>422 with the first located errors (row = spreadsheet row, header = 1), the totals and the rows read.</summary>
    public static ProblemHttpResult UploadProblem(UploadOutcome outcome)
    {
        var errors = outcome.Errors;
        return TypedResults.Problem(
            title: UploadRefusedZh(outcome),
            detail: string.Join("；", errors.Take(20).Select(e => $"第{e.Row}行【{e.Field}】{e.MessageZh}")),
            statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = "ImpactRosterInvalid",
                ["errors"] = errors.Take(SubmissionReports.ShownInResponse)
                    .Select(e => new { row = e.Row, field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
                ["errorCount"] = errors.Total,
                ["errorRowCount"] = errors.Rows,
                ["rowCount"] = outcome.RowCount,
                ["encoding"] = outcome.EncodingZh,
            });
    }

    public static string UploadRefusedZh(UploadOutcome outcome) =>
        $"花名册有{outcome.Errors.Rows}行共{outcome.Errors.Total}处错误，未测算，未保存任何结果"
        + (outcome.Errors.Total > SubmissionReports.ShownInResponse ? $"（此处列出前{SubmissionReports.ShownInResponse}处）" : "");

    /// <summary>The upload run; the endpoint and the impact page both call it.</summary>
    public sealed class UploadHandler(OneCardDbContext db, UserContext user, RuleSetStore ruleSets, RuleEvaluator evaluator,
        RegionDirectory regions, AuditWriter audit, TimeProvider time)
    {
        public async Task<UploadOutcome> RunAsync(string policy, int version, Stream content, string fileName, string? period, CancellationToken ct)
        {
            var officer = user.Required;
            var tested = ruleSets.TryGet(policy, version)
                ?? throw new OneCardException(ErrorKind.NotFound, "RuleSetNotFound", $"规则集 {policy} v{version} 不存在", $"{policy}@{version} does not exist.");
            period = string.IsNullOrWhiteSpace(period) ? tested.Year.ToString(CultureInfo.InvariantCulture) : period.Trim();
            if (period.Length > 16)
                throw new OneCardException(ErrorKind.Invalid, "PeriodInvalid", "期次无效（例如 2026 或 2026-06）", "Period is invalid (e.g. 2026 or 2026-06).");
            var today = WorkingDayCalendar.LocalDate(time.GetUtcNow());
            // The baseline: what decides a new case today. None (a first version) means nobody is paid under the policy today.
            var baseline = ruleSets.EffectiveOn(policy, today);

            // The file's SHA-256 is taken from the very bytes the reader reads (it reads the whole file before any row).
            RosterFile roster;
            string fileSha256;
            using (var sha = SHA256.Create())
            {
                await using (var hashing = new CryptoStream(content, sha, CryptoStreamMode.Read, leaveOpen: true))
                    roster = RosterReader.Open(hashing, fileName);
                fileSha256 = Convert.ToHexStringLower(sha.Hash ?? throw new InvalidOperationException("The roster was not read to its end."));
            }

            var errors = new LineErrors();
            ClaimValidator.CheckHeaders(roster.Headers, tested, errors, roster.EncodingZh);
            if (errors.Total == 0 && baseline is not null) ClaimValidator.CheckHeaders(roster.Headers, baseline, errors, roster.EncodingZh);
            if (errors.Total > 0) return new UploadOutcome(null, errors, 0, roster.EncodingZh);

            // Rows stream from the reader into the validator; the raw inputs are kept (at most MaxUploadRows) so that the
            // baseline, which may declare other facts, validates the same lines.
            var inputs = new List<ClaimInput>();
            IEnumerable<ClaimInput> Read()
            {
                foreach (var row in roster.Rows(errors))
                {
                    if (inputs.Count >= MaxUploadRows)
                        throw new OneCardException(ErrorKind.Invalid, "ImpactRosterTooLarge",
                            $"花名册超过 {MaxUploadRows:N0} 行（第{row.Row}行起）：影响测算一次最多 {MaxUploadRows:N0} 行，请抽取部分行或分批测算",
                            $"An impact roster has at most {MaxUploadRows:N0} rows.");
                    var input = ClaimValidator.FromRow(row);
                    inputs.Add(input);
                    yield return input;
                }
            }
            var validator = new ClaimValidator(regions.Codes, today);
            // No application region: an impact roster may span townships (null = any known township).
            var (after, rows) = validator.Validate(Read(), tested, null, errors);
            rows = Math.Max(rows, roster.DataRows);
            IReadOnlyList<ValidClaim> before = after;
            if (errors.Total == 0 && baseline is not null && baseline.VersionKey != tested.VersionKey)
                (before, _) = validator.Validate(inputs, baseline, null, errors);
            if (errors.Total > 0) return new UploadOutcome(null, errors, rows, roster.EncodingZh);
            if (rows == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoLines", "花名册没有数据行：第1行为表头，第2行起每行一人", "The roster has no data rows.");

            var tally = new Tally(regions);
            for (var start = 0; start < after.Count; start += BatchSize)
            {
                var count = Math.Min(BatchSize, after.Count - start);
                var now = evaluator.EvaluateMany(tested, [.. Enumerable.Range(start, count).Select(i => after[i].Facts)]);
                var was = baseline is null ? null : evaluator.EvaluateMany(baseline, [.. Enumerable.Range(start, count).Select(i => before[i].Facts)]);
                for (var i = 0; i < count; i++)
                {
                    var claim = after[start + i];
                    var outcome = was?[i].Outcome ?? EvaluationOutcome.Ineligible;
                    tally.Add(new Line("上传花名册", claim.Row, claim.RegionCode, period, Masking.Name(claim.Name), Masking.IdNumber(claim.Id.Normalized)),
                        outcome, outcome == EvaluationOutcome.Eligible ? was![i].Amount ?? 0m : null, now[i]);
                }
            }
            var figures = tally.Figures();

            var name = Path.GetFileName(fileName);
            if (name.Length > 200) name = name[..200];
            var run = new ImpactRun
            {
                Id = Guid.CreateVersion7(), VersionKey = tested.VersionKey, PolicyCode = policy, Sha256 = tested.Sha256, Period = period, Source = UploadSource,
                FileName = name, FileSha256 = fileSha256, LineCount = figures.Counts.Lines, TotalBefore = figures.TotalBefore, TotalAfter = figures.TotalAfter,
                BaselineZh = baseline is null
                    ? $"上传花名册“{name}”{figures.Counts.Lines} 行；今日（{today:yyyy-MM-dd}）无生效版本，以“不符合、0 元”为基准"
                    : $"上传花名册“{name}”{figures.Counts.Lines} 行，以今日（{today:yyyy-MM-dd}）生效的 v{baseline.Version} 的结果为基准，两版均按今日计算",
                FiguresJson = JsonSerializer.Serialize(figures, Json), RunBy = officer.Id, RunAt = time.GetUtcNow(),
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.ImpactRuns.Add(run);
            await audit.AppendAsync(db, officer.Id, "RuleSetImpactRun", SubjectKinds.RuleSet, tested.VersionKey, officer.RegionCode, new
            {
                run = run.Id, sha256 = tested.Sha256, source = UploadSource, fileName = name, fileSha256, rows = figures.Counts.Lines,
                baseline = baseline?.VersionKey, period, figures.Counts, figures.TotalBefore, figures.TotalAfter,
            }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new UploadOutcome(Handler.View(run, figures, null, null, 1, 50), errors, rows, roster.EncodingZh);
        }
    }

    /// <summary>The two sources of a run.</summary>
    public const string StoredSource = "Stored", UploadSource = "Upload";
}
