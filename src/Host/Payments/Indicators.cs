using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Domain.Validation;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using static OneCard.Domain.Payments.BudgetIndicator;

namespace OneCard.Host.Payments;

/// <summary>
/// Budget indicators (预算指标) and the allocation of payment batches to them. Finance registers an indicator (文号, year,
/// issuing level, shares, 直达资金, policy, recipient region, amount) and allocates each batch to one or more indicators
/// before releasing it to the bank; an allocation that would overdraw an indicator is refused with the figures. Release
/// itself is the batch case's <c>Release</c> action, guarded by <c>WithinIndicators</c>.
/// </summary>
public static class Indicators
{
    public sealed record CreateRequest(string? DocumentNo, string? Title, int Year, string? IssuingLevel, decimal? CentralShare, decimal? ProvincialShare,
        decimal? CityShare, decimal? CountyShare, bool IsDirect, string? PolicyCode, string? RegionCode, decimal? Amount);

    public sealed record IndicatorView(Guid Id, string DocumentNo, string Title, int Year, string IssuingLevel, string IssuingLevelZh,
        decimal CentralShare, decimal ProvincialShare, decimal CityShare, decimal CountyShare, bool IsDirect, string PolicyCode, string RegionCode,
        decimal Amount, string Status, decimal Allocated, decimal Paid, decimal InFlight, decimal Remaining);

    public sealed record EntryView(DateTimeOffset At, string Kind, decimal Amount, Guid BatchId, string BatchNo, string By);

    public sealed record IndicatorDetail(IndicatorView Indicator, IReadOnlyList<EntryView> Ledger);

    public sealed record AllocationLine(Guid IndicatorId, decimal Amount);

    public sealed record AllocateRequest(IReadOnlyList<AllocationLine>? Allocations);

    /// <summary>A batch as finance allocates it: what it holds on each indicator, and the indicators it may draw on.</summary>
    public sealed record AllocationView(Guid BatchId, string BatchNo, string RegionCode, string? PolicyCode, int Year, decimal TotalAmount, int LineCount,
        string Status, decimal Allocated, IReadOnlyList<AllocationLine> Held, IReadOnlyList<IndicatorView> Candidates);

    public sealed record CreateOutcome(IndicatorView? Result, IReadOnlyList<FieldIssue> Errors);

    public sealed record AllocateOutcome(AllocationView? Result, IReadOnlyList<FieldIssue> Errors);

    public static IServiceCollection AddIndicators(this IServiceCollection services) => services.AddScoped<Handler>();

    public static void MapIndicators(this RouteGroupBuilder api)
    {
        var finance = api.MapGroup("/payments").WithTags("Budget indicators")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer, Roles.Supervisor));
        finance.MapGet("/indicators", async (int? year, string? policyCode, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(year, policyCode, ct)))
            .WithName("ListBudgetIndicators").WithSummary("Budget indicators of the user's region and below, with allocated, paid, in-flight and remaining amounts");
        finance.MapGet("/indicators/{id:guid}", async Task<Results<Ok<IndicatorDetail>, NotFound>> (Guid id, Handler handler, CancellationToken ct) =>
                await handler.GetAsync(id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound())
            .WithName("GetBudgetIndicator").WithSummary("One indicator with its figures and ledger");
        finance.MapPost("/indicators", async Task<Results<Created<IndicatorView>, ProblemHttpResult>> (CreateRequest request, Handler handler, CancellationToken ct) =>
            {
                var outcome = await handler.CreateAsync(request, ct);
                return outcome.Result is { } created ? TypedResults.Created($"/api/payments/indicators/{created.Id}", created) : Problems("指标未登记", outcome.Errors);
            })
            .WithName("CreateBudgetIndicator").WithSummary("Registers a budget indicator (422 with every problem located by field)")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
        finance.MapGet("/batches/{id:guid}/allocation", async (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.AllocationAsync(id, ct)))
            .WithName("GetBatchAllocation").WithSummary("A batch's allocation to budget indicators and the indicators it may draw on");
        finance.MapPost("/batches/{id:guid}/allocations", async Task<Results<Ok<AllocationView>, ProblemHttpResult>> (Guid id, AllocateRequest request, Handler handler, CancellationToken ct) =>
            {
                var outcome = await handler.AllocateAsync(id, request.Allocations ?? [], ct);
                return outcome.Result is { } view ? TypedResults.Ok(view) : Problems("分配未保存", outcome.Errors);
            })
            .WithName("AllocateBatch").WithSummary("Sets a batch's allocation to indicators (the sum must equal the batch total; 422 with the figures when an indicator would be overdrawn)")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
    }

    /// <summary>422 listing every problem, located by field; the top-level code is the problem's own when there is one.</summary>
    public static ProblemHttpResult Problems(string title, IReadOnlyList<FieldIssue> errors) => TypedResults.Problem(
        title: $"{title}：共{errors.Count}处错误",
        detail: string.Join("；", errors.Select(e => e.MessageZh)),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = errors.Select(e => e.Code).Distinct().Count() == 1 ? errors[0].Code : "AllocationRefused",
            ["errors"] = errors.Select(e => new { field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
        });

    /// <summary>The budget year a batch draws on: the year (Beijing time) it was created in, as its number says.</summary>
    public static int BudgetYearOf(PaymentBatch batch) => batch.CreatedAt.ToOffset(TimeSpan.FromHours(8)).Year;

    public static string KindZh(IndicatorEntryKind kind) => kind == IndicatorEntryKind.Allocate ? "分配" : "退回";

    /// <summary>The use cases; the API and the pages call them.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, AuditWriter audit, TimeProvider time)
    {
        public async Task<IReadOnlyList<IndicatorView>> ListAsync(int? year, string? policyCode, CancellationToken ct)
        {
            var query = db.BudgetIndicators.AsNoTracking();
            if (year is { } y) query = query.Where(i => i.Year == y);
            if (!string.IsNullOrWhiteSpace(policyCode)) query = query.Where(i => i.PolicyCode == policyCode);
            var indicators = await query.OrderByDescending(i => i.Year).ThenBy(i => i.RegionCode).ThenBy(i => i.DocumentNo).Take(500).ToListAsync(ct);
            return await ViewsAsync(indicators, ct);
        }

        public async Task<IndicatorDetail?> GetAsync(Guid id, CancellationToken ct)
        {
            if (await db.BudgetIndicators.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) is not { } indicator) return null;
            var ledger = await (from e in db.IndicatorEntries.AsNoTracking()
                                join b in db.PaymentBatches.IgnoreQueryFilters() on e.BatchId equals b.Id
                                where e.IndicatorId == id
                                orderby e.At, e.SourceKey
                                select new EntryView(e.At, e.Kind.ToString(), e.Amount, b.Id, b.BatchNo, e.By)).ToListAsync(ct);
            return new IndicatorDetail((await ViewsAsync([indicator], ct))[0], ledger);
        }

        private async Task<IReadOnlyList<IndicatorView>> ViewsAsync(IReadOnlyList<BudgetIndicator> indicators, CancellationToken ct)
        {
            var figures = await IndicatorLedger.FiguresAsync(db, indicators, ct);
            return [.. indicators.Select(i => View(i, figures[i.Id]))];
        }

        private static IndicatorView View(BudgetIndicator i, IndicatorFigures f) => new(i.Id, i.DocumentNo, i.Title, i.Year, i.IssuingLevel.ToString(),
            LevelZh(i.IssuingLevel), i.CentralShare, i.ProvincialShare, i.CityShare, i.CountyShare, i.IsDirect, i.PolicyCode, i.RegionCode, i.Amount,
            i.Status.ToString(), f.Allocated, f.Paid, f.InFlight, f.Remaining);

        /// <summary>Registers an indicator of the user's region or below; every problem is located by field.</summary>
        public async Task<CreateOutcome> CreateAsync(CreateRequest request, CancellationToken ct)
        {
            var me = user.Required;
            IndicatorLevel? level = EnumNames.TryParse<IndicatorLevel>(request.IssuingLevel, out var l) ? l : null;
            var errors = Validate(request.DocumentNo, request.Title, request.Year, level, request.PolicyCode, request.RegionCode, request.Amount,
                request.CentralShare, request.ProvincialShare, request.CityShare, request.CountyShare).ToList();
            if (level is null && !string.IsNullOrWhiteSpace(request.IssuingLevel))
            {
                errors.RemoveAll(e => e.Field == "issuingLevel");
                errors.Add(new FieldIssue("issuingLevel", "LevelInvalid", $"下达级次：“{request.IssuingLevel}”不是中央、省级、市级或县级", "Unknown issuing level."));
            }
            var region = request.RegionCode?.Trim() ?? "";
            if (errors.All(e => e.Field != "regionCode") && !me.Scope.Contains(region))
                errors.Add(new FieldIssue("regionCode", "RegionOutOfScope", $"指标接收地区：{region} 不在您的管辖范围（{me.RegionCode}）内", "The recipient region is outside your region."));
            var policy = request.PolicyCode?.Trim() ?? "";
            if (policy.Length > 0 && !await db.Policies.AsNoTracking().AnyAsync(p => p.Code == policy, ct))
                errors.Add(new FieldIssue("policyCode", "PolicyUnknown", $"补贴政策：“{policy}”不存在", "No such policy."));
            var documentNo = request.DocumentNo?.Trim() ?? "";
            if (errors.Count == 0 && await db.BudgetIndicators.IgnoreQueryFilters().AnyAsync(i => i.DocumentNo == documentNo && i.PolicyCode == policy
                    && i.RegionCode == region && i.Year == request.Year, ct))
                errors.Add(new FieldIssue("documentNo", "IndicatorDuplicate", $"文号：{documentNo} 已为{region}的该政策登记{request.Year}年度指标", "Already registered."));
            if (errors.Count > 0) return new CreateOutcome(null, errors);
            var indicator = new BudgetIndicator
            {
                Id = Guid.CreateVersion7(), DocumentNo = documentNo, Title = request.Title!.Trim(), Year = request.Year, IssuingLevel = level!.Value,
                CentralShare = request.CentralShare ?? 0, ProvincialShare = request.ProvincialShare ?? 0, CityShare = request.CityShare ?? 0,
                CountyShare = request.CountyShare ?? 0, IsDirect = request.IsDirect, PolicyCode = policy, RegionCode = region, Amount = request.Amount!.Value,
                Status = IndicatorStatus.Active, CreatedBy = user.ActorId, CreatedAt = time.GetUtcNow(),
            };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.BudgetIndicators.Add(indicator);
            await audit.AppendAsync(db, user.ActorId, "BudgetIndicatorCreated", "BudgetIndicator", indicator.Id.ToString(), region,
                new { indicator.DocumentNo, indicator.Year, level = indicator.IssuingLevel.ToString(), indicator.PolicyCode, indicator.Amount, indicator.IsDirect,
                    shares = new { indicator.CentralShare, indicator.ProvincialShare, indicator.CityShare, indicator.CountyShare } }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new CreateOutcome(View(indicator, IndicatorFigures.From(indicator.Amount, [])), []);
        }

        public async Task<AllocationView> AllocationAsync(Guid batchId, CancellationToken ct)
        {
            var batch = await db.PaymentBatches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            return await AllocationViewAsync(batch, ct);
        }

        private async Task<AllocationView> AllocationViewAsync(PaymentBatch batch, CancellationToken ct)
        {
            var held = await IndicatorLedger.HeldByBatchAsync(db, batch.Id, ct);
            var year = BudgetYearOf(batch);
            // Every indicator of the batch's policy and year whose recipient region contains the batch's, and any it holds.
            var heldIds = held.Keys.ToList();
            var candidates = (await db.BudgetIndicators.IgnoreQueryFilters().AsNoTracking()
                    .Where(i => heldIds.Contains(i.Id) || (i.PolicyCode == batch.PolicyCode && i.Year == year && i.Status == IndicatorStatus.Active))
                    .ToListAsync(ct))
                .Where(i => heldIds.Contains(i.Id) || RegionScope.For(i.RegionCode).Contains(batch.RegionCode))
                .OrderBy(i => i.DocumentNo, StringComparer.Ordinal).ThenBy(i => i.Id).ToList();
            return new AllocationView(batch.Id, batch.BatchNo, batch.RegionCode, batch.PolicyCode, year, batch.TotalAmount, batch.LineCount,
                batch.Status.ToString(), held.Values.Sum(), [.. held.Select(h => new AllocationLine(h.Key, h.Value)).OrderBy(h => h.IndicatorId)],
                await ViewsAsync(candidates, ct));
        }

        /// <summary>
        /// Sets the batch's allocation to exactly <paramref name="lines"/> (indicators it held and are not listed are given
        /// back). The batch row, then the indicator rows in id order, are locked for the transaction, so a concurrent allocation
        /// reads what this one committed. Refused whole, with the figures, when an indicator does not fit the batch (policy,
        /// region, year, status) or would be overdrawn, or when the sum is not the batch total. Ledger entries are written
        /// only for the differences, so the same request sent again writes nothing.
        /// </summary>
        public async Task<AllocateOutcome> AllocateAsync(Guid batchId, IReadOnlyList<AllocationLine> lines, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.LockPaymentBatchAsync(batchId, ct);
            var batch = await db.PaymentBatches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId, ct)
                ?? throw OneCardException.NotFound("Payment batch", "支付批次");
            if (batch.Status != PaymentBatchStatus.Allocating)
                throw new OneCardException(ErrorKind.Conflict, "BatchNotAllocating", $"支付批次 {batch.BatchNo} 已下达银行，不能再调整预算指标分配",
                    $"Batch {batch.BatchNo} has been released; its allocation can no longer change.");
            var held = await IndicatorLedger.HeldByBatchAsync(db, batchId, ct);
            var ids = lines.Select(l => l.IndicatorId).Concat(held.Keys).Distinct().ToList();
            await IndicatorLedger.LockAsync(db, ids, ct);
            var indicators = await db.BudgetIndicators.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var figures = await IndicatorLedger.FiguresAsync(db, [.. indicators.Values], ct);
            var errors = Check(batch, lines, indicators, figures, held);
            if (errors.Count > 0) return new AllocateOutcome(null, errors);

            var now = time.GetUtcNow();
            var seq = await db.IndicatorEntries.IgnoreQueryFilters().CountAsync(e => e.BatchId == batchId, ct);
            var target = lines.ToDictionary(l => l.IndicatorId, l => l.Amount);
            var changes = new List<object>();
            foreach (var id in ids.Order())
            {
                var difference = target.GetValueOrDefault(id) - held.GetValueOrDefault(id);
                if (difference == 0) continue;
                var indicator = indicators[id];
                db.IndicatorEntries.Add(new IndicatorEntry
                {
                    Id = Guid.CreateVersion7(), IndicatorId = id, BatchId = batchId, Amount = Math.Abs(difference),
                    Kind = difference > 0 ? IndicatorEntryKind.Allocate : IndicatorEntryKind.Return, RegionCode = indicator.RegionCode, At = now,
                    By = user.ActorId, SourceKey = $"allocation:{batchId:N}:{++seq}",
                });
                changes.Add(new { indicator.DocumentNo, indicatorId = id, difference, to = target.GetValueOrDefault(id) });
            }
            if (changes.Count > 0)
                await audit.AppendAsync(db, user.ActorId, "PaymentBatchAllocated", SubjectKinds.PaymentBatch, batchId.ToString(), batch.RegionCode,
                    new { batch.BatchNo, total = batch.TotalAmount, changes }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new AllocateOutcome(await AllocationViewAsync(batch, ct), []);
        }

        /// <summary>Every reason the allocation cannot stand, each located at its line (allocations[i]) with the figures.</summary>
        private static List<FieldIssue> Check(PaymentBatch batch, IReadOnlyList<AllocationLine> lines, IReadOnlyDictionary<Guid, BudgetIndicator> indicators,
            IReadOnlyDictionary<Guid, IndicatorFigures> figures, IReadOnlyDictionary<Guid, decimal> held)
        {
            var errors = new List<FieldIssue>();
            void Add(string field, string code, string zh, string en) => errors.Add(new FieldIssue(field, code, zh, en));
            if (lines.Count == 0) Add("allocations", "AllocationEmpty", $"须至少选择一个预算指标，本批次需 {Yuan(batch.TotalAmount)} 元", "Choose at least one indicator.");
            var year = BudgetYearOf(batch);
            var seen = new HashSet<Guid>();
            for (var n = 0; n < lines.Count; n++)
            {
                var (id, amount) = lines[n];
                var at = $"allocations[{n}]";
                if (!indicators.TryGetValue(id, out var indicator))
                { Add($"{at}.indicatorId", "IndicatorUnknown", $"第{n + 1}行：预算指标不存在", "No such indicator."); continue; }
                var name = $"第{n + 1}行：指标 {indicator.DocumentNo}";
                if (!seen.Add(id)) { Add($"{at}.indicatorId", "IndicatorRepeated", $"{name} 重复选择", "Indicator listed twice."); continue; }
                if (amount <= 0 || decimal.Round(amount, 2) != amount)
                { Add($"{at}.amount", "AmountInvalid", $"{name} 分配金额 {amount} 须大于0且最多两位小数", "Amount must be positive with at most two places."); continue; }
                if (indicator.PolicyCode != batch.PolicyCode)
                    Add($"{at}.indicatorId", "IndicatorPolicyMismatch", $"{name} 属于政策 {indicator.PolicyCode}，本批次为 {batch.PolicyCode}", "Indicator is for another policy.");
                if (!RegionScope.For(indicator.RegionCode).Contains(batch.RegionCode))
                    Add($"{at}.indicatorId", "IndicatorRegionMismatch", $"{name} 下达至 {indicator.RegionCode}，不含本批次地区 {batch.RegionCode}", "Indicator is for another region.");
                if (indicator.Year != year)
                    Add($"{at}.indicatorId", "IndicatorYearMismatch", $"{name} 为{indicator.Year}年度指标，本批次属{year}年度", "Indicator is of another budget year.");
                if (indicator.Status != IndicatorStatus.Active)
                    Add($"{at}.indicatorId", "IndicatorClosed", $"{name} 已关闭，不能再分配", "Indicator is closed.");
                // What this batch already holds on the indicator is available to it again.
                var available = figures[id].Remaining + held.GetValueOrDefault(id);
                if (amount > available)
                    Add($"{at}.amount", "IndicatorInsufficient",
                        $"指标 {indicator.DocumentNo} 剩余 {Yuan(available)} 元，本批次需 {Yuan(amount)} 元，超出 {Yuan(amount - available)} 元",
                        $"Indicator {indicator.DocumentNo} has {available:0.00} left; {amount:0.00} needed.");
            }
            var sum = lines.Sum(l => l.Amount);
            if (lines.Count > 0 && sum != batch.TotalAmount)
                Add("allocations", "AllocationSumMismatch", $"分配合计 {Yuan(sum)} 元，与批次 {batch.BatchNo} 金额 {Yuan(batch.TotalAmount)} 元不符（差 {Yuan(batch.TotalAmount - sum)} 元）",
                    "The allocations must sum to the batch total.");
            return errors;
        }
    }
}
