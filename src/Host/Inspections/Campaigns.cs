using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Inspections;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Inspections;

/// <summary>
/// Inspection campaigns (事中随机抽查 / 事后专项核查): create one with its scope and draw parameters (the seed recorded before the
/// draw), preview the strata, draw (the campaign case's Draw action; the on-enter effect draws), read it with strata and items,
/// reproduce the draw from the recorded inputs, and conclude it. Region scope comes from the query filter: another county's
/// campaign is 404.
/// </summary>
public static class Campaigns
{
    public const string DefinitionId = "inspection-campaign";

    public static CaseSubject Subject(Guid id) => new(SubjectKinds.InspectionCampaign, id);

    /// <summary>A new campaign: kind, title, region (county or city), policy, period or paid dates, criteria, share, minimum per stratum, seed (blank: generated).</summary>
    public sealed record NewCampaign(string? Kind, string? Title, string? RegionCode, string? PolicyCode, string? Period, DateOnly? PaidFrom,
        DateOnly? PaidTo, decimal? MinAmount, IReadOnlyList<string>? Townships, decimal? Share, int? MinimumPerStratum, long? Seed);
    public sealed record StratumPreview(string Stratum, string Name, int Population, int SampleSize);
    public sealed record Preview(int Population, int SampleSize, IReadOnlyList<StratumPreview> Strata);
    public sealed record Summary(Guid Id, string Number, string Kind, string KindZh, string Title, string RegionCode, string RegionName, string? PolicyCode,
        string Status, string Step, string StepTitle, DateTimeOffset? StepDueAt, int PopulationCount, int SampleCount, int Closed, int Confirmed, DateTimeOffset CreatedAt);
    public sealed record StratumRow(string Stratum, string Name, int Population, int SampleSize, int Closed, int Confirmed, int NotConfirmed);
    public sealed record ItemRow(Guid Id, int Seq, string Reference, string Stratum, string StratumName, Guid ApplicationId, string? ApplicationNo,
        int? LineNo, string? NameMasked, decimal? Amount, string Finding, string FindingZh, string Step, string StepTitle, DateTimeOffset? DueAt, bool Closed);
    public sealed record Detail(Summary Campaign, string? Period, DateOnly? PaidFrom, DateOnly? PaidTo, string CriteriaJson, decimal Share,
        int MinimumPerStratum, long Seed, string SeedSource, string Algorithm, string? PopulationSha256, string CreatedBy, string? DrawnBy,
        DateTimeOffset? DrawnAt, IReadOnlyList<StratumRow> Strata, IReadOnlyList<ItemRow> Items, CaseActions.CaseView Case);
    /// <summary>
    /// The reproduction: the draw redone from the recorded seed over the recorded population, compared with the items drawn;
    /// and the population selected again by the recorded criteria, compared with the recorded one (which keys came or went).
    /// </summary>
    public sealed record Reproduction(bool Consistent, string Verdict, string Message, long Seed, string Algorithm, int RecordedPopulation,
        bool RecordedPopulationIntact, bool SampleReproduced, IReadOnlyList<Guid> DrawnNotRedrawn, IReadOnlyList<Guid> RedrawnNotDrawn,
        int CurrentPopulation, bool PopulationUnchanged, IReadOnlyList<Guid> Added, IReadOnlyList<Guid> Removed, string MessageEn);

    public static string KindZh(CampaignKind k) => k == CampaignKind.PostPayment ? "事后专项核查" : "事中随机抽查";

    public static string FindingZh(Finding f) => f switch { Finding.Confirmed => "属实", Finding.NotConfirmed => "不属实", _ => "未填写" };

    public static void MapCampaignEndpoints(this RouteGroupBuilder inspections)
    {
        var group = inspections.MapGroup("/campaigns");
        group.MapGet("", async (Handler h, CancellationToken ct) => TypedResults.Ok(await h.ListAsync(ct)))
            .WithName("ListInspectionCampaigns").WithSummary("Campaigns in the user's region, newest first");
        group.MapPost("/preview", async (NewCampaign body, Handler h, CancellationToken ct) => TypedResults.Ok(await h.PreviewAsync(body, ct)))
            .WithName("PreviewInspectionCampaign").WithSummary("The population per township and the sample sizes the formula gives, before creating")
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        group.MapPost("", async (NewCampaign body, Handler h, CancellationToken ct) =>
            {
                var id = await h.CreateAsync(body, ct);
                return TypedResults.Created($"/api/inspections/campaigns/{id}", await h.GetAsync(id, ct));
            })
            .WithName("CreateInspectionCampaign").WithSummary("Creates a campaign (Draft) with its scope, criteria, share, minimum and seed (given or generated)")
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor));
        group.MapGet("/{id:guid}", async (Guid id, Handler h, CancellationToken ct) => TypedResults.Ok(await h.GetAsync(id, ct)))
            .WithName("GetInspectionCampaign").WithSummary("One campaign with its recorded draw, strata and items (404 outside the user's region)");
        group.MapPost("/{id:guid}/actions/{action}", async Task<Ok<Detail>> (Guid id, string action, CaseActions.ActionRequest? body, Handler h, CaseEngine engine, CancellationToken ct) =>
            {
                await h.EnsureVisibleAsync(id, ct);
                await engine.ActAsync(Subject(id), action, body?.Comment, ct);
                return TypedResults.Ok(await h.GetAsync(id, ct));
            })
            .WithName("ActOnInspectionCampaign").WithSummary("Draw (draws and opens the items) or Conclude (when every item is closed)");
        group.MapGet("/{id:guid}/reproduce", async (Guid id, Handler h, CancellationToken ct) => TypedResults.Ok(await h.ReproduceAsync(id, ct)))
            .WithName("ReproduceInspectionDraw").WithSummary("Redraws from the recorded seed over the recorded population and compares: 一致/不一致, and which keys changed");
    }

    /// <summary>The use cases; the pages call them too.</summary>
    public sealed class Handler(OneCardDbContext db, AuditWriter audit, CaseEngine engine, CaseActions.Handler cases, WorkflowCatalog workflows,
        RegionDirectory regions, UserContext user, TimeProvider time)
    {
        public async Task<IReadOnlyList<Summary>> ListAsync(CancellationToken ct)
        {
            var rows = await db.InspectionCampaigns.AsNoTracking().OrderByDescending(c => c.CreatedAt).Take(200)
                .Join(db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectKind == SubjectKinds.InspectionCampaign), c => c.Id, i => i.SubjectId, (c, i) => new { c, i })
                .ToListAsync(ct);
            var ids = rows.Select(r => r.c.Id).ToList();
            var counts = await db.InspectionItems.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.CampaignId))
                .GroupBy(i => i.CampaignId)
                .Select(g => new { g.Key, Closed = g.Count(i => i.ClosedAt != null), Confirmed = g.Count(i => i.Finding == Finding.Confirmed) })
                .ToDictionaryAsync(x => x.Key, ct);
            return [.. rows.Select(r => ToSummary(r.c, r.i, counts.TryGetValue(r.c.Id, out var n) ? n.Closed : 0, counts.TryGetValue(r.c.Id, out var m) ? m.Confirmed : 0))];
        }

        private Summary ToSummary(InspectionCampaign c, WorkflowInstance i, int closed, int confirmed)
        {
            var definition = workflows.Get(i.DefinitionId, i.DefinitionVersion);
            return new Summary(c.Id, c.Number, c.Kind.ToString(), KindZh(c.Kind), c.Title, c.RegionCode, regions.FullName(c.RegionCode), c.PolicyCode,
                c.Status.ToString(), i.Step, definition.TitleZhOf(i.Step), i.StepDueAt, c.PopulationCount, c.SampleCount, closed, confirmed, c.CreatedAt);
        }

        /// <summary>The policies a campaign may name for the user (their department's, or all when the user has none), for the form.</summary>
        public async Task<IReadOnlyList<(string Code, string Name)>> PoliciesAsync(CancellationToken ct)
        {
            var department = user.Required.DepartmentScope;
            var rows = await db.Policies.AsNoTracking().Where(p => department == null || p.DepartmentCode == department).OrderBy(p => p.Code)
                .Select(p => new { p.Code, p.NameZh }).ToListAsync(ct);
            return [.. rows.Select(r => (r.Code, r.NameZh))];
        }

        /// <summary>404 unless the campaign is in the user's region (and department): the same answer as a campaign that does not exist.</summary>
        public async Task EnsureVisibleAsync(Guid id, CancellationToken ct)
        {
            if (!await db.InspectionCampaigns.AnyAsync(c => c.Id == id, ct)) throw NotFound();
        }

        private static OneCardException NotFound() => OneCardException.NotFound("Inspection campaign", "核查批次");

        public async Task<Detail> GetAsync(Guid id, CancellationToken ct)
        {
            var c = await db.InspectionCampaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw NotFound();
            var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.SubjectKind == SubjectKinds.InspectionCampaign && i.SubjectId == id, ct);
            // Items are read whatever their township: a campaign visible to the user shows all it drew.
            var items = await db.InspectionItems.IgnoreQueryFilters().AsNoTracking().Where(i => i.CampaignId == id).OrderBy(i => i.Seq)
                .GroupJoin(db.ClaimLines.IgnoreQueryFilters(), i => i.ClaimLineId, l => (Guid?)l.Id, (i, ls) => new { i, ls })
                .SelectMany(x => x.ls.DefaultIfEmpty(), (x, l) => new { x.i, LineNo = (int?)l!.LineNo, Name = l.Name, Amount = l.Amount })
                .Join(db.WorkflowInstances.IgnoreQueryFilters().Where(w => w.SubjectKind == SubjectKinds.InspectionItem), x => x.i.Id, w => w.SubjectId,
                    (x, w) => new { x.i, x.LineNo, x.Name, x.Amount, w.Step, w.DefinitionId, w.DefinitionVersion, w.StepDueAt })
                .ToListAsync(ct);
            var applicationIds = items.Select(x => x.i.ApplicationId).Distinct().ToList();
            var numbers = await db.Applications.IgnoreQueryFilters().AsNoTracking().Where(a => applicationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Number, ct);
            var strataCounts = await db.InspectionPopulationMembers.AsNoTracking().Where(m => m.CampaignId == id).GroupBy(m => m.Stratum)
                .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            var strata = strataCounts.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
            {
                var drawn = items.Where(x => x.i.Stratum == s.Key).ToList();
                return new StratumRow(s.Key, regions.FullName(s.Key), s.Count, drawn.Count, drawn.Count(x => x.i.ClosedAt != null),
                    drawn.Count(x => x.i.Finding == Finding.Confirmed), drawn.Count(x => x.i.Finding == Finding.NotConfirmed));
            }).ToList();
            var view = await cases.GetAsync(Subject(id), ct);
            return new Detail(ToSummary(c, instance, items.Count(x => x.i.ClosedAt != null), items.Count(x => x.i.Finding == Finding.Confirmed)),
                c.Period, c.PaidFrom, c.PaidTo, c.CriteriaJson, c.Share, c.MinimumPerStratum, c.Seed, c.SeedSource, c.Algorithm, c.PopulationSha256,
                c.CreatedBy, c.DrawnBy, c.DrawnAt, strata,
                [.. items.Select(x => new ItemRow(x.i.Id, x.i.Seq, x.i.Reference, x.i.Stratum, regions.FullName(x.i.Stratum), x.i.ApplicationId,
                    numbers.GetValueOrDefault(x.i.ApplicationId), x.LineNo, x.Name is null ? null : Domain.Privacy.Masking.Name(x.Name), x.Amount,
                    x.i.Finding.ToString(), FindingZh(x.i.Finding), x.Step, workflows.Get(x.DefinitionId, x.DefinitionVersion).TitleZhOf(x.Step),
                    x.StepDueAt, x.i.ClosedAt is not null))],
                view);
        }

        /// <summary>Checks a new campaign's fields; every refusal names the field and why.</summary>
        private async Task<InspectionCampaign> ValidateAsync(NewCampaign body, CancellationToken ct)
        {
            if (!EnumNames.TryParse<CampaignKind>(body.Kind, out var kind))
                throw Invalid("KindUnknown", $"类型：“{body.Kind}”不存在，应为 RandomInProcess（事中随机抽查）或 PostPayment（事后专项核查）", "Unknown campaign kind.");
            var title = (body.Title ?? "").Trim();
            if (title.Length == 0) throw Invalid("TitleRequired", "名称：必填", "A title is required.");
            if (title.Length > 100) throw Invalid("TitleTooLong", $"名称：不能超过 100 个字符，实为 {title.Length} 个", "Title too long.");
            var region = (body.RegionCode ?? "").Trim();
            var found = regions.Find(region);
            if (found is null || found.Level is not (RegionLevel.County or RegionLevel.City))
                throw Invalid("RegionUnknown", $"核查地区：“{region}”不是辽宁省的市或县（区）行政区划代码（6 位）", "The region must be a city or county code.");
            var me = user.Required;
            if (!me.Scope.Contains(region))
                throw new OneCardException(ErrorKind.Forbidden, "RegionOutsideScope", $"核查地区：{found.Name}（{region}）不在您的管辖范围内", "The region is outside your scope.");
            var prefix = RegionScope.For(region).Prefix;
            var policy = string.IsNullOrWhiteSpace(body.PolicyCode) ? null : body.PolicyCode.Trim();
            if (kind == CampaignKind.PostPayment && policy is null)
                throw Invalid("PolicyRequired", "补贴政策：事后专项核查须选择补贴政策", "A post-payment campaign needs a policy.");
            if (policy is null && me.DepartmentScope is not null)
                throw Invalid("PolicyRequired", "补贴政策：您属于业务部门，须选择本部门的补贴政策", "A department-bound user must choose a policy of the department.");
            if (policy is not null)
            {
                var department = await db.Policies.AsNoTracking().Where(p => p.Code == policy).Select(p => p.DepartmentCode).SingleOrDefaultAsync(ct);
                if (department is null) throw Invalid("PolicyUnknown", $"补贴政策：“{policy}”不存在", "Unknown policy.");
                if (me.DepartmentScope is { } mine && mine != department)
                    throw new OneCardException(ErrorKind.Forbidden, "PolicyOfOtherDepartment", $"补贴政策：“{policy}”不属于您的部门", "The policy belongs to another department.");
            }
            var period = string.IsNullOrWhiteSpace(body.Period) ? null : body.Period.Trim();
            if (period is { Length: > 16 }) throw Invalid("PeriodTooLong", "期次：不能超过 16 个字符", "Period too long.");
            if (kind == CampaignKind.RandomInProcess && (body.PaidFrom is not null || body.PaidTo is not null || body.MinAmount is not null))
                throw Invalid("PaidCriteriaNotApplicable", "发放日期、金额条件：只适用于事后专项核查（事中随机抽查的对象是在办案件）", "Paid dates and amounts apply to post-payment campaigns only.");
            if (body.PaidFrom is { } from && body.PaidTo is { } to && from > to)
                throw Invalid("PaidRangeReversed", $"发放日期：起始日 {from:yyyy-MM-dd} 晚于截止日 {to:yyyy-MM-dd}", "The paid-date range is reversed.");
            if (body.MinAmount is < 0) throw Invalid("MinAmountNegative", $"金额下限：不能为负数，实为 {body.MinAmount}", "The minimum amount is negative.");
            var townships = (body.Townships ?? []).Select(t => (t ?? "").Trim()).Where(t => t.Length > 0).Distinct().ToList();
            for (var i = 0; i < townships.Count; i++)
                if (townships[i].Length != 9 || !townships[i].StartsWith(prefix, StringComparison.Ordinal) || regions.Find(townships[i]) is null)
                    throw Invalid("TownshipOutsideRegion", $"乡镇（街道）第 {i + 1} 项：“{townships[i]}”不是{found.Name}的乡镇（街道）代码（9 位）", "A township is not in the region.");
            var share = body.Share ?? 0.1m;
            if (share is <= 0m or > 1m) throw Invalid("ShareOutOfRange", $"抽取比例：应大于 0 且不超过 100%，实为 {share:P2}", "The share must be in (0, 1].");
            if (decimal.Round(share, 4) != share) throw Invalid("ShareTooPrecise", "抽取比例：最多保留四位小数（如 0.0525 即 5.25%）", "The share has more than four decimals.");
            var minimum = body.MinimumPerStratum ?? 3;
            if (minimum is < 0 or > 1000) throw Invalid("MinimumOutOfRange", $"每个乡镇最少抽取：应在 0 到 1000 之间，实为 {minimum}", "The minimum per stratum is out of range.");
            if (body.Seed is < 0) throw Invalid("SeedNegative", "随机种子：应为非负整数", "The seed must not be negative.");

            var now = time.GetUtcNow();
            var id = Guid.CreateVersion7();
            return new InspectionCampaign
            {
                Id = id, Number = $"HC-{region}-{now.ToOffset(TimeSpan.FromHours(8)):yyyyMMdd}-{id.ToString("N")[^6..]}", Kind = kind, Title = title,
                RegionCode = region, PolicyCode = policy, Period = period, PaidFrom = body.PaidFrom, PaidTo = body.PaidTo,
                CriteriaJson = new CampaignCriteria(body.MinAmount, townships.Count == 0 ? null : townships).ToJson(),
                Share = share, MinimumPerStratum = minimum, Seed = body.Seed ?? StratifiedDraw.NewSeed(), SeedSource = body.Seed is null ? "generated" : "given",
                Algorithm = StratifiedDraw.AlgorithmName, CreatedBy = user.ActorId, CreatedAt = now, Status = CampaignStatus.Draft,
            };
        }

        /// <summary>The population per township and the sample sizes, for the form's 抽样 step; nothing is stored.</summary>
        public async Task<Preview> PreviewAsync(NewCampaign body, CancellationToken ct)
        {
            var campaign = await ValidateAsync(body, ct);
            var members = await Population.SelectAsync(db, campaign, ct);
            var strata = members.GroupBy(m => m.Stratum).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new StratumPreview(g.Key, regions.FullName(g.Key), g.Count(), StratifiedDraw.SampleSize(g.Count(), campaign.Share, campaign.MinimumPerStratum)))
                .ToList();
            return new Preview(members.Count, strata.Sum(s => s.SampleSize), strata);
        }

        /// <summary>Creates the campaign and starts its case (Draft), with the seed recorded now, before anything is drawn.</summary>
        public async Task<Guid> CreateAsync(NewCampaign body, CancellationToken ct)
        {
            var campaign = await ValidateAsync(body, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.InspectionCampaigns.Add(campaign);
            await audit.AppendAsync(db, user.ActorId, "InspectionCampaignCreated", SubjectKinds.InspectionCampaign, campaign.Id.ToString(), campaign.RegionCode, new
            {
                campaign.Number, kind = campaign.Kind.ToString(), campaign.Title, campaign.PolicyCode, campaign.Period, campaign.PaidFrom, campaign.PaidTo,
                criteria = campaign.CriteriaJson, campaign.Share, campaign.MinimumPerStratum, campaign.Seed, campaign.SeedSource, campaign.Algorithm,
            }, ct);
            await engine.StartAsync(new CaseEngine.NewCase(Subject(campaign.Id), campaign.Number, campaign.RegionCode, campaign.PolicyCode),
                workflows.Latest(DefinitionId), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return campaign.Id;
        }

        /// <summary>Redoes the draw from the recorded inputs and compares it with the items, and the current population with the recorded one.</summary>
        public async Task<Reproduction> ReproduceAsync(Guid id, CancellationToken ct)
        {
            var c = await db.InspectionCampaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw NotFound();
            if (c.PopulationSha256 is null)
                throw new OneCardException(ErrorKind.Conflict, "NotDrawnYet", $"核查批次 {c.Number} 尚未抽样，无可复现的抽样结果", "The campaign has not been drawn yet.");
            var recorded = (await db.InspectionPopulationMembers.AsNoTracking().Where(m => m.CampaignId == id).Select(m => new { m.Key, m.Stratum }).ToListAsync(ct))
                .Select(m => new Member(m.Key, m.Stratum)).ToList();
            var intact = StratifiedDraw.PopulationHash(recorded) == c.PopulationSha256 && recorded.Count == c.PopulationCount;
            var redrawn = StratifiedDraw.Draw(recorded, c.Seed, c.Share, c.MinimumPerStratum).SelectMany(s => s.Drawn).ToHashSet();
            var drawn = (await db.InspectionItems.IgnoreQueryFilters().AsNoTracking().Where(i => i.CampaignId == id).Select(i => i.SampledKey).ToListAsync(ct)).ToHashSet();
            var drawnNotRedrawn = drawn.Except(redrawn).Order().ToList();
            var redrawnNotDrawn = redrawn.Except(drawn).Order().ToList();
            var sampleSame = drawnNotRedrawn.Count == 0 && redrawnNotDrawn.Count == 0;

            var current = await Population.SelectAsync(db, c, ct);
            var recordedKeys = recorded.Select(m => m.Key).ToHashSet();
            var currentKeys = current.Select(m => m.Key).ToHashSet();
            var added = currentKeys.Except(recordedKeys).Order().ToList();
            var removed = recordedKeys.Except(currentKeys).Order().ToList();
            var unchanged = added.Count == 0 && removed.Count == 0 && StratifiedDraw.PopulationHash(current) == c.PopulationSha256;

            var parts = new List<string>();
            var partsEn = new List<string>();
            parts.Add(sampleSame
                ? $"按记录的种子 {c.Seed} 在记录的总体（{recorded.Count} 条）上重抽，样本与原抽样相同（{drawn.Count} 条）"
                : $"按记录的种子 {c.Seed} 重抽的样本与原抽样不同：原抽样有而重抽没有 {drawnNotRedrawn.Count} 条，重抽有而原抽样没有 {redrawnNotDrawn.Count} 条");
            partsEn.Add(sampleSame
                ? $"redrawn with the recorded seed {c.Seed} from the recorded population ({recorded.Count}), the sample is the original one ({drawn.Count})"
                : $"redrawn with the recorded seed {c.Seed}, the sample differs: {drawnNotRedrawn.Count} drawn then but not now, {redrawnNotDrawn.Count} drawn now but not then");
            if (!intact)
            {
                parts.Add($"记录的总体与抽样时的摘要不符（抽样时 {c.PopulationCount} 条，现存 {recorded.Count} 条）");
                partsEn.Add($"the recorded population no longer matches its digest at the draw ({c.PopulationCount} then, {recorded.Count} now)");
            }
            parts.Add(unchanged
                ? $"按原条件重新筛选的总体与记录相同（{current.Count} 条）"
                : $"按原条件重新筛选的总体已变化：新增 {added.Count} 条，减少 {removed.Count} 条（现 {current.Count} 条，记录 {recorded.Count} 条）");
            partsEn.Add(unchanged
                ? $"the population selected again by the recorded criteria is the recorded one ({current.Count})"
                : $"the population selected again by the recorded criteria has changed: {added.Count} added, {removed.Count} removed ({current.Count} now, {recorded.Count} recorded)");
            var consistent = sampleSame && intact && unchanged;
            var verdict = consistent ? "一致" : "不一致";
            return new Reproduction(consistent, verdict, $"{verdict}：{string.Join("；", parts)}。", c.Seed, c.Algorithm, recorded.Count, intact, sampleSame,
                drawnNotRedrawn, redrawnNotDrawn, current.Count, unchanged, added, removed,
                $"{(consistent ? "Consistent" : "Inconsistent")}: {string.Join("; ", partsEn)}.");
        }

        private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
    }
}
