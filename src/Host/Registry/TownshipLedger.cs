using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Rules.Facts;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.Registry;

/// <summary>
/// The township ledger (乡镇补贴底册) of a policy and period: every claim line of the township's applications with its facts,
/// amount, outcome, payment and publicity, and a consistency check proving that the key facts the public saw (公示/公开 lines)
/// and the bank was told (payment instructions) are the ledger's: line count, masked names and IDs, amounts and totals.
/// Region- and department-scoped by the database's query filters, like every other read.
/// </summary>
public static class TownshipLedger
{
    public sealed record Query(string? Policy, string? Period, string? Township);

    /// <param name="Payment">The last instruction's state (<c>None</c>, <c>Pending</c>, <c>Succeeded</c>, <c>Failed</c>) and
    /// <paramref name="Attempt"/> its attempt: what <paramref name="PaymentZh"/> says, for the page to name in its culture.</param>
    /// <param name="Publicity">How far the line was published (<c>Published</c>, <c>Publicised</c>, <c>None</c>), as <paramref name="PublicityZh"/> says.</param>
    public sealed record Line(Guid ApplicationId, string ApplicationNumber, int LineNo, string Name, string NameMasked, string IdNumberMasked,
        string Facts, decimal? Amount, string Outcome, string OutcomeZh, string PaymentZh, string? AccountMasked, string PublicityZh,
        string Payment, int Attempt, string Publicity);

    /// <summary>One way the published or instructed facts differ from the ledger, located by application and line (in Chinese and English).</summary>
    public sealed record Difference(string Where, string Field, string Ledger, string Other, string MessageZh, string WhereEn, string FieldEn, string MessageEn);

    /// <summary>The value of a side that has no such line.</summary>
    public const string None = "（无）";

    public sealed record Ledger(string PolicyCode, string PolicyNameZh, string Period, string TownshipCode, string TownshipName,
        IReadOnlyList<Line> Lines, int LineCount, decimal Total, decimal PaidTotal, int NoticesChecked, int InstructionsChecked,
        IReadOnlyList<Difference> Differences, string? PolicyNameEn = null)
    {
        public bool Consistent => Differences.Count == 0;
    }

    public static void MapTownshipLedger(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/registry/ledger").WithTags("Registry");
        group.MapGet("", async Task<Ok<Ledger>> ([AsParameters] Query query, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.LedgerAsync(query, ct)))
            .WithName("TownshipLedger").WithSummary("A township's ledger of a policy and period, with its consistency check against the notices and payments");
        api.MapGet("/registry/ledger.xlsx", async Task<FileStreamHttpResult> ([AsParameters] Query query, Handler handler, CancellationToken ct) =>
            {
                var (content, name) = await handler.ExportAsync(query, ct);
                return TypedResults.File(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
            })
            .WithTags("Registry").WithName("ExportTownshipLedger").WithSummary("The township ledger as an xlsx workbook (Chinese headers)");
    }

    /// <summary>One row of the workbook.</summary>
    public sealed class Sheet
    {
        [ExcelColumnName("申报编号")] public string Application { get; init; } = "";
        [ExcelColumnName("序号")] public int LineNo { get; init; }
        [ExcelColumnName("姓名")] public string Name { get; init; } = "";
        [ExcelColumnName("身份证号（脱敏）")] public string IdNumber { get; init; } = "";
        [ExcelColumnName("申报事项")] public string Facts { get; init; } = "";
        [ExcelColumnName("金额（元）")] public decimal? Amount { get; init; }
        [ExcelColumnName("审核结果")] public string Outcome { get; init; } = "";
        [ExcelColumnName("发放状态")] public string Payment { get; init; } = "";
        [ExcelColumnName("账号（脱敏）")] public string Account { get; init; } = "";
        [ExcelColumnName("公示公开")] public string Publicity { get; init; } = "";
    }

    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, IRuleSets ruleSets, TimeProvider time)
    {
        public async Task<Ledger> LedgerAsync(Query query, CancellationToken ct)
        {
            var me = user.Required;
            var policy = query.Policy?.Trim() ?? "";
            var period = query.Period?.Trim() ?? "";
            var township = query.Township?.Trim() ?? "";
            if (policy.Length == 0) throw Invalid("LedgerPolicyMissing", "请选择补贴政策（参数 policy）", "policy is required.");
            if (period.Length == 0) throw Invalid("LedgerPeriodMissing", "请填写期次（参数 period，如 2026）", "period is required.");
            if (township.Length != 9 || regions.Find(township) is null)
                throw Invalid("LedgerTownshipInvalid", $"乡镇（街道）代码“{Applications.LineErrors.Echo(township)}”无效（参数 township，9位）", "township must be a 9-digit township code.");
            if (!me.Scope.Contains(township))
                throw new OneCardException(ErrorKind.NotFound, "LedgerTownshipOutsideScope", $"乡镇（街道）“{regions.FullName(township)}”不在您的管辖范围内",
                    "The township is outside your region.");

            // The query filters scope every set below to the user's region and department.
            var applications = await db.Applications.AsNoTracking()
                .Where(a => a.PolicyCode == policy && a.Period == period && a.RegionCode == township)
                .Select(a => new { a.Id, a.Number }).ToDictionaryAsync(a => a.Id, a => a.Number, ct);
            var ids = applications.Keys.ToList();
            var lines = await db.ClaimLines.AsNoTracking().Where(l => ids.Contains(l.ApplicationId)).ToListAsync(ct);
            lines = [.. lines.OrderBy(l => applications[l.ApplicationId], StringComparer.Ordinal).ThenBy(l => l.LineNo)];
            var instructions = (await db.PaymentInstructions.AsNoTracking()
                    .Where(i => i.PolicyCode == policy && i.Period == period && i.RegionCode == township).ToListAsync(ct))
                .GroupBy(i => i.ClaimLineId).ToDictionary(g => g.Key, g => g.OrderBy(i => i.Attempt).ToList());
            var notices = await db.PublicNotices.AsNoTracking().Include(n => n.Lines).Where(n => ids.Contains(n.ApplicationId)).ToListAsync(ct);

            var published = notices.SelectMany(n => n.Lines.Select(l => (n.ApplicationId, n.Kind, l.LineNo)))
                .ToHashSet();
            var views = lines.Select(l =>
            {
                instructions.TryGetValue(l.Id, out var paid);
                var last = paid?[^1];
                var (publicity, publicityZh) = published.Contains((l.ApplicationId, NoticeKind.Publication, l.LineNo)) ? ("Published", "已公开")
                    : published.Contains((l.ApplicationId, NoticeKind.Publicity, l.LineNo)) ? ("Publicised", "已公示")
                    : ("None", "未公示");
                return new Line(l.ApplicationId, applications[l.ApplicationId], l.LineNo, l.Name, Masking.Name(l.Name), l.IdNumberMasked,
                    FactsText(l), l.Amount, l.Outcome.ToString(), OutcomeZh(l.Outcome), PaymentZh(last), last?.AccountMasked, publicityZh,
                    last?.Status.ToString() ?? "None", last?.Attempt ?? 0, publicity);
            }).ToList();

            var differences = Check(lines, applications, notices, instructions);
            var effective = ruleSets.EffectiveOn(policy, WorkingDayCalendar.LocalDate(time.GetUtcNow()));
            var policyName = effective?.Name.Zh ?? lines.Select(l => Name(l.RuleSetKey)).FirstOrDefault() ?? policy;
            return new Ledger(policy, policyName, period, township, regions.FullName(township), views, views.Count,
                lines.Sum(l => l.Amount ?? 0m), instructions.Values.SelectMany(i => i).Where(i => i.Status == PaymentStatus.Succeeded).Sum(i => i.Amount),
                notices.Count, instructions.Values.Sum(i => i.Count), differences, effective?.Name.En);
        }

        /// <summary>The ledger as a workbook, written to a temporary file that the response deletes when sent.</summary>
        public async Task<(Stream Content, string FileName)> ExportAsync(Query query, CancellationToken ct)
        {
            var ledger = await LedgerAsync(query, ct);
            var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await file.SaveAsAsync(ledger.Lines.Select(l => new Sheet
                {
                    Application = l.ApplicationNumber, LineNo = l.LineNo, Name = l.Name, IdNumber = l.IdNumberMasked, Facts = l.Facts,
                    Amount = l.Amount, Outcome = l.OutcomeZh, Payment = l.PaymentZh, Account = l.AccountMasked ?? "", Publicity = l.PublicityZh,
                }), sheetName: "乡镇补贴底册", cancellationToken: ct);
                file.Position = 0;
                return (file, $"乡镇补贴底册-{ledger.TownshipCode}-{ledger.PolicyCode}-{ledger.Period}.xlsx");
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }

        /// <summary>
        /// Every notice line must be a ledger line of the same application and number with the same masked name, masked ID
        /// and amount; a notice's count and total must be its lines'; a publicity notice must list every line still payable
        /// (eligible, instructed, paid or returned) and a publication every paid line; each line's first payment instruction
        /// must carry the line's amount and masked name.
        /// </summary>
        private static List<Difference> Check(IReadOnlyList<ClaimLine> lines, IReadOnlyDictionary<Guid, string> applications,
            IReadOnlyList<PublicNotice> notices, IReadOnlyDictionary<Guid, List<PaymentInstruction>> instructions)
        {
            var differences = new List<Difference>();
            var byKey = lines.ToDictionary(l => (l.ApplicationId, l.LineNo));
            foreach (var notice in notices.OrderBy(n => applications[n.ApplicationId], StringComparer.Ordinal).ThenBy(n => n.Kind))
            {
                var number = applications[notice.ApplicationId];
                var kindZh = notice.Kind == NoticeKind.Publicity ? "公示" : "公开";
                var kindEn = notice.Kind == NoticeKind.Publicity ? "publicity notice" : "publication";
                var (where, whereEn) = ($"{number} {kindZh}", $"{number} {kindEn}");
                if (notice.LineCount != notice.Lines.Count)
                    differences.Add(new(where, "行数", notice.Lines.Count.ToString(CultureInfo.InvariantCulture), notice.LineCount.ToString(CultureInfo.InvariantCulture),
                        $"{kindZh}公告载明 {notice.LineCount} 行，实有 {notice.Lines.Count} 行",
                        whereEn, "Lines", $"The {kindEn} states {notice.LineCount} lines but has {notice.Lines.Count}"));
                var sum = notice.Lines.Sum(l => l.Amount);
                if (notice.TotalAmount != sum)
                    differences.Add(new(where, "合计", Money(sum), Money(notice.TotalAmount), $"{kindZh}公告载明合计 {Money(notice.TotalAmount)} 元，各行之和为 {Money(sum)} 元",
                        whereEn, "Total", $"The {kindEn} states a total of ¥{Money(notice.TotalAmount)}; its lines add up to ¥{Money(sum)}"));
                foreach (var shown in notice.Lines.OrderBy(l => l.LineNo))
                {
                    var (at, atEn) = ($"{where} 第{shown.LineNo}行", $"{whereEn} line {shown.LineNo}");
                    if (!byKey.TryGetValue((notice.ApplicationId, shown.LineNo), out var line))
                    {
                        differences.Add(new(at, "行", None, shown.NameMasked, $"{kindZh}中的第{shown.LineNo}行在底册中不存在",
                            atEn, "Line", $"Line {shown.LineNo} of the {kindEn} is not in the ledger"));
                        continue;
                    }
                    var masked = Masking.Name(line.Name);
                    if (shown.NameMasked != masked)
                        differences.Add(new(at, "姓名", masked, shown.NameMasked, $"{kindZh}姓名“{shown.NameMasked}”与底册“{masked}”不一致",
                            atEn, "Name", $"The name on the {kindEn} differs from the ledger's"));
                    if (shown.IdNumberMasked != line.IdNumberMasked)
                        differences.Add(new(at, "身份证号", line.IdNumberMasked, shown.IdNumberMasked, $"{kindZh}身份证号“{shown.IdNumberMasked}”与底册“{line.IdNumberMasked}”不一致",
                            atEn, "ID number", $"The ID number on the {kindEn} ({shown.IdNumberMasked}) differs from the ledger's ({line.IdNumberMasked})"));
                    if (shown.Amount != (line.Amount ?? 0m))
                        differences.Add(new(at, "金额", Money(line.Amount ?? 0m), Money(shown.Amount), $"{kindZh}金额 {Money(shown.Amount)} 元与底册 {Money(line.Amount ?? 0m)} 元不一致",
                            atEn, "Amount", $"The {kindEn}'s amount ¥{Money(shown.Amount)} differs from the ledger's ¥{Money(line.Amount ?? 0m)}"));
                }
                var listed = notice.Lines.Select(l => l.LineNo).ToHashSet();
                var expected = lines.Where(l => l.ApplicationId == notice.ApplicationId && (notice.Kind == NoticeKind.Publicity
                    ? l.Outcome is LineOutcome.Eligible or LineOutcome.Instructed or LineOutcome.Paid or LineOutcome.Failed
                    : l.Outcome == LineOutcome.Paid));
                foreach (var missing in expected.Where(l => !listed.Contains(l.LineNo)))
                    differences.Add(new($"{where} 第{missing.LineNo}行", "行", Masking.Name(missing.Name), None,
                        $"底册第{missing.LineNo}行（{OutcomeZh(missing.Outcome)}）未列入{kindZh}",
                        $"{whereEn} line {missing.LineNo}", "Line", $"Ledger line {missing.LineNo} ({missing.Outcome}) is not on the {kindEn}"));
            }
            foreach (var line in lines)
            {
                if (!instructions.TryGetValue(line.Id, out var paid)) continue;
                var first = paid[0];
                var (at, atEn) = ($"{applications[line.ApplicationId]} 第{line.LineNo}行 支付指令", $"{applications[line.ApplicationId]} line {line.LineNo} payment instruction");
                if (first.Amount != (line.Amount ?? 0m))
                    differences.Add(new(at, "金额", Money(line.Amount ?? 0m), Money(first.Amount), $"支付指令金额 {Money(first.Amount)} 元与底册 {Money(line.Amount ?? 0m)} 元不一致",
                        atEn, "Amount", $"The payment instruction's amount ¥{Money(first.Amount)} differs from the ledger's ¥{Money(line.Amount ?? 0m)}"));
                if (paid.Count == 1 && Masking.Name(first.PayeeName) != Masking.Name(line.Name))
                    differences.Add(new(at, "姓名", Masking.Name(line.Name), Masking.Name(first.PayeeName),
                        $"支付指令收款人“{Masking.Name(first.PayeeName)}”与底册“{Masking.Name(line.Name)}”不一致",
                        atEn, "Name", "The payment instruction's payee differs from the ledger's name"));
            }
            return differences;
        }

        private readonly Dictionary<string, RuleSet?> ruleSetCache = new(StringComparer.Ordinal);

        private RuleSet? RuleSetOf(string key)
        {
            if (ruleSetCache.TryGetValue(key, out var cached)) return cached;
            RuleSet? found;
            try
            {
                var (code, version) = RuleSetVersionKey.Parse(key);
                found = ruleSets.Get(code, version);
            }
            catch (Exception e) when (e is OneCardException or KeyNotFoundException or FormatException or ArgumentException)
            {
                found = null;
            }
            return ruleSetCache[key] = found;
        }

        private string? Name(string ruleSetKey) => RuleSetOf(ruleSetKey)?.Name.Zh;

        /// <summary>The line's supplied facts as 标签：值, labelled and formatted by its rule set (the one fact parser).</summary>
        private string FactsText(ClaimLine line)
        {
            var ruleSet = RuleSetOf(line.RuleSetKey);
            using var facts = JsonDocument.Parse(line.FactsJson);
            var parts = new List<string>();
            foreach (var p in facts.RootElement.EnumerateObject())
            {
                var fact = ruleSet?.Facts.FirstOrDefault(f => f.Name == p.Name);
                if (fact is not null && (fact.Personal || fact.DerivedFromPersonal)) continue;
                var label = fact?.LabelZh ?? p.Name;
                var value = fact is null ? p.Value.ToString() : FactValues.Format(fact, p.Value);
                parts.Add($"{label}：{value}");
            }
            return string.Join("；", parts);
        }

        private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

        private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
    }

    public static string OutcomeZh(LineOutcome outcome) => outcome switch
    {
        LineOutcome.Eligible => "符合",
        LineOutcome.Ineligible => "不符合",
        LineOutcome.Faulted => "规则故障",
        LineOutcome.Rejected => "已驳回",
        LineOutcome.Instructed => "已下发",
        LineOutcome.Paid => "已发放",
        LineOutcome.Failed => "退票",
        _ => outcome.ToString(),
    };

    private static string PaymentZh(PaymentInstruction? instruction) => instruction switch
    {
        null => "未下发",
        { Status: PaymentStatus.Pending } => instruction.Attempt > 1 ? $"第{instruction.Attempt}次下发，待银行回盘" : "已下发，待银行回盘",
        { Status: PaymentStatus.Succeeded } => instruction.Attempt > 1 ? $"第{instruction.Attempt}次发放成功" : "发放成功",
        _ => "发放失败（退票）",
    };
}
