using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Identity;
using OneCard.Domain.Policies;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.RuleSets;

/// <summary>
/// Impact run (影响测算): before approval, a rule set version (normally a draft) is evaluated over the stored lines of a period
/// and compared line by line with each line's stored result (the version it was decided under is the baseline). Counts of lines
/// whose eligibility changes, the amount change per line, totals and change by county, township and period are saved as an
/// <see cref="ImpactRun"/> — evidence on the version's approval case — and audited.
/// </summary>
/// <remarks>
/// No personal data is decrypted: each line keeps, from submission, the facts the ID number gives the rules (area code, birth
/// date, gender; <see cref="ClaimLine.IdAreaCode"/>). The run rebuilds from them a synthetic ID number
/// (<see cref="SyntheticIdNumber"/>) that answers every <c>Fn</c> helper exactly as the real one, so unchanged expressions run.
/// Lines stored before these facts were kept cannot be run and are counted as 无法测算, never dropped silently.
/// </remarks>
public static partial class Impact
{
    /// <summary>Lines evaluated per <see cref="RuleEvaluator.EvaluateMany"/> call while the stored lines stream in.</summary>
    public const int BatchSize = 2000;

    /// <summary>The most changed lines kept in a run's figures (the counts and sums always cover every line).</summary>
    public const int MaxChangesKept = 20_000;

    public sealed record Request(string? Period);
    public sealed record Counts(int Lines, int Compared, int NotComparable, int BecameEligible, int BecameIneligible, int BecameFaulted,
        int AmountUp, int AmountDown, int Unchanged);
    public sealed record Bucket(string Key, string NameZh, int Lines, decimal Before, decimal After)
    {
        public decimal Change => After - Before;
    }
    public sealed record LineChange(string Kind, string KindZh, string ApplicationNumber, int LineNo, string Period, string RegionCode,
        string Name, string IdNumberMasked, string Before, decimal? BeforeAmount, string After, decimal? AfterAmount, decimal Change, string? ReasonZh);
    public sealed record Figures(Counts Counts, decimal TotalBefore, decimal TotalAfter, decimal NotComparableAmount,
        IReadOnlyList<Bucket> ByCounty, IReadOnlyList<Bucket> ByTownship, IReadOnlyList<Bucket> ByMonth,
        int ChangesTotal, IReadOnlyList<LineChange> Changes)
    {
        public decimal TotalChange => TotalAfter - TotalBefore;
    }
    public sealed record ChangePage(int Total, int Page, int PageSize, IReadOnlyList<LineChange> Lines);
    public sealed record RunView(Guid Id, string VersionKey, string Sha256, string BaselineZh, string? Period, string Source,
        string RunBy, DateTimeOffset RunAt, Counts Counts, decimal TotalBefore, decimal TotalAfter, decimal TotalChange,
        decimal NotComparableAmount, IReadOnlyList<Bucket> ByCounty, IReadOnlyList<Bucket> ByTownship, IReadOnlyList<Bucket> ByMonth,
        ChangePage Changes, string? FileName = null, string? FileSha256 = null);

    /// <summary>Change kinds, with their Chinese names.</summary>
    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["BecameEligible"] = "变为符合", ["BecameIneligible"] = "变为不符合", ["BecameFaulted"] = "变为出错",
        ["AmountUp"] = "金额增加", ["AmountDown"] = "金额减少", ["NotComparable"] = "无法测算",
    };

    public static void MapImpact(this RouteGroupBuilder api)
    {
        var readers = new[] { Roles.PolicyOfficer, Roles.Supervisor };
        api.MapPost("/rulesets/{policy}/{version:int}/impact", async (string policy, int version, Request? request, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.RunAsync(policy, version, request?.Period, ct)))
            .WithName("RunRuleSetImpact")
            .WithSummary("Runs a rule set version over the stored lines of a period (default: the year before the version's year) against each line's stored result; saved and audited")
            .RequireAuthorization(p => p.RequireRole(Roles.PolicyOfficer));
        api.MapGet("/rulesets/{policy}/{version:int}/impact", async Task<Microsoft.AspNetCore.Http.HttpResults.Results<Microsoft.AspNetCore.Http.HttpResults.Ok<RunView>, Microsoft.AspNetCore.Http.HttpResults.NoContent>> (
                string policy, int version, Guid? run, string? source, string? kind, string? sort, int? page, int? pageSize, Handler handler, CancellationToken ct) =>
                await handler.FindAsync(policy, version, run, source, kind, sort, page ?? 1, pageSize ?? 50, ct) is { } found ? TypedResults.Ok(found) : TypedResults.NoContent())
            .WithName("GetRuleSetImpact")
            .WithSummary("The latest impact run of a version (?source=Stored|Upload), or ?run={id}; 204 when none; changed lines paged, ?kind=BecameEligible|…&sort=change|-change")
            .RequireAuthorization(p => p.RequireRole(readers));
        api.MapImpactUpload();
    }

    private sealed record Row(Guid Id, string Number, int LineNo, string RegionCode, string Period, string Name, string IdNumberMasked,
        string FactsJson, decimal? Amount, LineOutcome Outcome, string? IdAreaCode, DateOnly? IdBirthDate, bool? IdIsMale, DateTimeOffset SubmittedAt)
    {
        public Line Line => new(Number, LineNo, RegionCode, Period, Masking.Name(Name), IdNumberMasked);

        /// <summary>The stored result as the rules gave it: a line later rejected, instructed or paid was Eligible by the rules
        /// (with its amount); one rejected from Faulted has no amount.</summary>
        public EvaluationOutcome Baseline => Outcome switch
        {
            LineOutcome.Ineligible => EvaluationOutcome.Ineligible,
            LineOutcome.Faulted => EvaluationOutcome.Faulted,
            LineOutcome.Rejected when Amount is null => EvaluationOutcome.Faulted,
            _ => EvaluationOutcome.Eligible,
        };

        public decimal? BaselineAmount => Baseline == EvaluationOutcome.Eligible ? Amount ?? 0m : null;
    }

    /// <summary>Where a compared line comes from, as the changed-lines list shows it (name and ID number already masked).</summary>
    private sealed record Line(string Number, int LineNo, string RegionCode, string Period, string NameMasked, string IdNumberMasked);

    public sealed class Handler(OneCardDbContext db, UserContext user, RuleSetStore ruleSets, RuleEvaluator evaluator,
        RegionDirectory regions, AuditWriter audit, TimeProvider time)
    {
        public async Task<RunView> RunAsync(string policy, int version, string? period, CancellationToken ct)
        {
            var officer = user.Required;
            var ruleSet = ruleSets.TryGet(policy, version)
                ?? throw new OneCardException(ErrorKind.NotFound, "RuleSetNotFound", $"规则集 {policy} v{version} 不存在", $"{policy}@{version} does not exist.");
            period = string.IsNullOrWhiteSpace(period) ? await DefaultPeriodAsync(policy, ruleSet.Year, ct) : period.Trim();
            if (period.Length > 16)
                throw new OneCardException(ErrorKind.Invalid, "PeriodInvalid", "期次无效（例如 2025 或 2025-06）", "Period is invalid (e.g. 2025 or 2025-06).");

            var figures = await CompareAsync(policy, period, ruleSet, ct);
            if (figures.Counts.Lines == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoStoredLines", $"补贴政策 {policy} 在期次“{period}”没有已存的申报明细，无法测算",
                    $"No stored lines of {policy} in period {period}.");

            var run = new ImpactRun
            {
                Id = Guid.CreateVersion7(), VersionKey = ruleSet.VersionKey, PolicyCode = policy, Sha256 = ruleSet.Sha256,
                BaselineZh = $"{period} 期已存申报明细 {figures.Counts.Lines} 条，各条以申报时所用版本的结果为基准", Period = period, Source = StoredSource,
                LineCount = figures.Counts.Lines, TotalBefore = figures.TotalBefore, TotalAfter = figures.TotalAfter,
                FiguresJson = JsonSerializer.Serialize(figures, Json), RunBy = officer.Id, RunAt = time.GetUtcNow(),
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.ImpactRuns.Add(run);
            await audit.AppendAsync(db, officer.Id, "RuleSetImpactRun", SubjectKinds.RuleSet, ruleSet.VersionKey, officer.RegionCode, new
            {
                run = run.Id, sha256 = ruleSet.Sha256, period, figures.Counts, figures.TotalBefore, figures.TotalAfter,
            }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return View(run, figures, null, null, 1, 50);
        }

        public Task<RunView?> LatestAsync(string policy, int version, string? kind, string? sort, int page, int pageSize, CancellationToken ct) =>
            FindAsync(policy, version, null, null, kind, sort, page, pageSize, ct);

        /// <summary>One run of the version: <paramref name="runId"/> if given, else the latest (of <paramref name="source"/>, if given).</summary>
        public async Task<RunView?> FindAsync(string policy, int version, Guid? runId, string? source, string? kind, string? sort, int page, int pageSize,
            CancellationToken ct)
        {
            var key = $"{policy}@{version}";
            var runs = db.ImpactRuns.AsNoTracking().Where(r => r.VersionKey == key);
            if (runId is { } id) runs = runs.Where(r => r.Id == id);
            if (!string.IsNullOrEmpty(source)) runs = runs.Where(r => r.Source == source);
            var run = await runs.OrderByDescending(r => r.RunAt).FirstOrDefaultAsync(ct);
            return run is null ? null : View(run, JsonSerializer.Deserialize<Figures>(run.FiguresJson, Json)!, kind, sort, page, pageSize);
        }

        /// <summary>The latest stored period before the version's year, as a year prefix (all of that year's periods).</summary>
        private async Task<string> DefaultPeriodAsync(string policy, int year, CancellationToken ct)
        {
            var bound = year.ToString(CultureInfo.InvariantCulture);
            var latest = await db.ClaimLines.AsNoTracking().Where(l => l.PolicyCode == policy && string.Compare(l.Period, bound) < 0)
                .OrderByDescending(l => l.Period).Select(l => l.Period).FirstOrDefaultAsync(ct);
            return latest is { Length: >= 4 } ? latest[..4]
                : throw new OneCardException(ErrorKind.Invalid, "NoPreviousPeriod",
                    $"补贴政策 {policy} 没有 {year} 年以前的已存申报明细，请指定要测算的期次", $"No stored lines of {policy} before {year}; give a period.");
        }

        /// <summary>Streams the period's lines in batches, evaluates each batch under the version, and adds up the differences.</summary>
        private async Task<Figures> CompareAsync(string policy, string period, RuleSet ruleSet, CancellationToken ct)
        {
            var prefix = period + "-";
            var rows = (from l in db.ClaimLines.AsNoTracking()
                        join a in db.Applications.AsNoTracking() on l.ApplicationId equals a.Id
                        where l.PolicyCode == policy && (l.Period == period || l.Period.StartsWith(prefix))
                        orderby l.Id
                        // Only these columns are read: the beneficiary (and its ciphertext) is never touched.
                        select new Row(l.Id, a.Number, l.LineNo, l.RegionCode, l.Period, l.Name, l.IdNumberMasked, l.FactsJson, l.Amount,
                            l.Outcome, l.IdAreaCode, l.IdBirthDate, l.IdIsMale, a.SubmittedAt)).AsAsyncEnumerable();

            var tally = new Tally(regions);
            var batch = new List<Row>(BatchSize);
            await foreach (var row in rows.WithCancellation(ct))
            {
                batch.Add(row);
                if (batch.Count == BatchSize) { Evaluate(batch, ruleSet, tally); batch.Clear(); }
            }
            Evaluate(batch, ruleSet, tally);
            return tally.Figures();
        }

        private void Evaluate(List<Row> batch, RuleSet ruleSet, Tally tally)
        {
            var runnable = new List<Row>(batch.Count);
            var facts = new List<IReadOnlyDictionary<string, object?>>(batch.Count);
            foreach (var row in batch)
            {
                if (row is { IdAreaCode: { } area, IdBirthDate: { } birth, IdIsMale: { } male })
                {
                    runnable.Add(row);
                    facts.Add(StoredFacts.Bind(ruleSet, row.FactsJson, SyntheticIdNumber.From(area, birth, male), row.RegionCode,
                        // The day the line was decided on (its submission day, China time), as at submission and re-evaluation.
                        DateOnly.FromDateTime(row.SubmittedAt.ToOffset(WorkingDayCalendar.Offset).DateTime)));
                }
                else tally.NotComparable(row.Line, row.Baseline, row.BaselineAmount);
            }
            var evaluations = evaluator.EvaluateMany(ruleSet, facts);
            for (var i = 0; i < runnable.Count; i++) tally.Add(runnable[i].Line, runnable[i].Baseline, runnable[i].BaselineAmount, evaluations[i]);
        }

        internal static RunView View(ImpactRun run, Figures f, string? kind, string? sort, int page, int pageSize)
        {
            pageSize = Math.Clamp(pageSize, 1, 500);
            page = Math.Max(page, 1);
            IEnumerable<LineChange> lines = f.Changes;
            if (!string.IsNullOrEmpty(kind)) lines = lines.Where(c => c.Kind == kind);
            lines = sort switch
            {
                "change" => lines.OrderBy(c => c.Change),
                "-change" => lines.OrderByDescending(c => c.Change),
                _ => lines,
            };
            var list = lines.ToList();
            return new RunView(run.Id, run.VersionKey, run.Sha256, run.BaselineZh, run.Period, run.Source, run.RunBy, run.RunAt, f.Counts,
                f.TotalBefore, f.TotalAfter, f.TotalChange, f.NotComparableAmount, f.ByCounty, f.ByTownship, f.ByMonth,
                new ChangePage(list.Count, page, pageSize, list.Skip((page - 1) * pageSize).Take(pageSize).ToList()), run.FileName, run.FileSha256);
        }
    }

    /// <summary>Running sums over the streamed lines; keeps at most <see cref="MaxChangesKept"/> changed lines.</summary>
    private sealed class Tally(RegionDirectory regions)
    {
        private int lines, compared, notComparable, becameEligible, becameIneligible, becameFaulted, up, down, unchanged, changesTotal;
        private decimal before, after, notComparableAmount;
        private readonly Dictionary<string, (int Lines, decimal Before, decimal After)> county = new(StringComparer.Ordinal),
            township = new(StringComparer.Ordinal), month = new(StringComparer.Ordinal);
        private readonly List<LineChange> changes = [];

        public void NotComparable(Line row, EvaluationOutcome was, decimal? wasAmount)
        {
            lines++;
            notComparable++;
            notComparableAmount += wasAmount ?? 0m;
            Keep(new LineChange("NotComparable", Kinds["NotComparable"], row.Number, row.LineNo, row.Period, row.RegionCode, row.NameMasked,
                row.IdNumberMasked, was.ToString(), wasAmount, "NotComparable", null, 0m,
                "该明细提交时未保存身份证派生信息（出生日期、性别、地区码），测算不解密身份证号，故无法测算"));
        }

        /// <summary>One compared line: its baseline (<paramref name="was"/>, with its amount when eligible) against the version's result.</summary>
        public void Add(Line row, EvaluationOutcome was, decimal? baselineAmount, ClaimEvaluation evaluation)
        {
            lines++;
            compared++;
            var wasAmount = baselineAmount ?? 0m;
            var isAmount = evaluation.Outcome == EvaluationOutcome.Eligible ? evaluation.Amount ?? 0m : 0m;
            before += wasAmount;
            after += isAmount;
            Sum(county, Fn(row.RegionCode, 6), wasAmount, isAmount);
            Sum(township, row.RegionCode, wasAmount, isAmount);
            Sum(month, row.Period, wasAmount, isAmount);

            string? kind = null;
            if (was != evaluation.Outcome)
                kind = evaluation.Outcome switch
                {
                    EvaluationOutcome.Eligible => "BecameEligible",
                    EvaluationOutcome.Ineligible => "BecameIneligible",
                    _ => "BecameFaulted",
                };
            else if (isAmount > wasAmount) kind = "AmountUp";
            else if (isAmount < wasAmount) kind = "AmountDown";
            switch (kind)
            {
                case "BecameEligible": becameEligible++; break;
                case "BecameIneligible": becameIneligible++; break;
                case "BecameFaulted": becameFaulted++; break;
                case "AmountUp": up++; break;
                case "AmountDown": down++; break;
                default: unchanged++; return;
            }
            var reason = evaluation.Outcome switch
            {
                EvaluationOutcome.Ineligible => string.Join("；", evaluation.FailedRules.Select(r => r.MessageZh)),
                EvaluationOutcome.Faulted => evaluation.Fault,
                _ => null,
            };
            Keep(new LineChange(kind, Kinds[kind], row.Number, row.LineNo, row.Period, row.RegionCode, row.NameMasked, row.IdNumberMasked,
                was.ToString(), was == EvaluationOutcome.Eligible ? wasAmount : null, evaluation.Outcome.ToString(),
                evaluation.Outcome == EvaluationOutcome.Eligible ? isAmount : null, isAmount - wasAmount, reason));
        }

        private void Keep(LineChange change)
        {
            changesTotal++;
            if (changes.Count < MaxChangesKept) changes.Add(change);
        }

        private static string Fn(string code, int length) => code.Length >= length ? code[..length] : code;

        private static void Sum(Dictionary<string, (int Lines, decimal Before, decimal After)> into, string key, decimal was, decimal now)
        {
            var (n, b, a) = into.GetValueOrDefault(key);
            into[key] = (n + 1, b + was, a + now);
        }

        public Figures Figures()
        {
            List<Bucket> Buckets(Dictionary<string, (int Lines, decimal Before, decimal After)> from, Func<string, string> name) =>
                from.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Bucket(kv.Key, name(kv.Key), kv.Value.Lines, kv.Value.Before, kv.Value.After)).ToList();
            return new Figures(
                new Counts(lines, compared, notComparable, becameEligible, becameIneligible, becameFaulted, up, down, unchanged),
                before, after, notComparableAmount,
                Buckets(county, c => regions.Find(c)?.Name ?? c), Buckets(township, regions.FullName), Buckets(month, p => p),
                changesTotal, changes);
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>
/// A synthetic ID number rebuilt from the facts a real one gives the rules: the real area code (6 digits), the real birth date
/// (8), the sequence <c>001</c> (male, odd) or <c>002</c> (female, even), and the GB 11643-1999 check character. It passes and
/// fails every hard check of <see cref="IdNumber.Check"/> exactly as the real number does on any date (same province, same
/// birth date, valid check character), so <c>Fn.IsValidIdNumber</c>, <c>Fn.Age</c>, <c>Fn.BirthDate</c> and <c>Fn.IsMale</c>
/// answer the same; only the sequence and check digits differ (no helper reads them). It is never stored or shown.
/// </summary>
public static class SyntheticIdNumber
{
    public static string From(string areaCode, DateOnly birthDate, bool isMale)
    {
        ArgumentNullException.ThrowIfNull(areaCode);
        if (areaCode.Length != 6) throw new ArgumentException("The area code has 6 digits.", nameof(areaCode));
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{areaCode}{birthDate:yyyyMMdd}00{(isMale ? '1' : '2')}");
        return first17 + IdNumber.CheckCharacter(first17);
    }
}
