using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Errors;
using OneCard.Domain.Policies;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Policies;

/// <summary>
/// The policy list (补贴政策清单): read publicly when published, drafted, edited and published by the policy officers of
/// the list's own region. A city's or county's list shows the published lists of the regions above it as inherited rows.
/// </summary>
public static class PolicyLists
{
    public sealed record ItemView(int Seq, string Code, string NameZh, string Level, string LevelZh, string DepartmentCode, string DepartmentZh,
        string Basis, string Target, string TargetZh, string TargetText, string StandardText, decimal? Amount, string? Unit,
        decimal? CentralShare, decimal? ProvincialShare, decimal? CityShare, decimal? CountyShare, string? SharesNote, string SharesText,
        string Frequency, string PaymentMonths, DateOnly EffectiveFrom, DateOnly? EffectiveTo, string EffectiveText, string Status, string StatusZh,
        string Source, bool Inherited, string FromRegionCode, string FromRegionName)
    {
        public string AmountText => Amount is { } a ? a.ToString("0.##", CultureInfo.InvariantCulture) + Unit : "—";
    }

    public sealed record ListView(Guid Id, string RegionCode, string RegionName, string Level, int Year, int Version, string Status, string StatusZh,
        DateTimeOffset? PublishedAt, string? PublishedBy, IReadOnlyList<ItemView> Items);

    public sealed record ListSummary(Guid Id, string RegionCode, string RegionName, int Year, int Version, string Status, string StatusZh,
        int ItemCount, DateTimeOffset? PublishedAt);

    public sealed record DiffView(Guid ListId, string RegionCode, string RegionName, int Year, int Version, Guid? PreviousListId, int? PreviousYear,
        int? PreviousVersion, IReadOnlyList<PolicyItemRef> Added, IReadOnlyList<PolicyItemRef> Removed, IReadOnlyList<PolicyItemChange> Changed, string SummaryZh);

    public sealed record CreateRequest(string? RegionCode, int Year);

    /// <summary>One item as the edit form sends it; shares are percentages (all four, or none with a note).</summary>
    public sealed record ItemRequest(string? Code, string? NameZh, string? DepartmentCode, string? Basis, string? Target, string? TargetText,
        string? StandardText, decimal? Amount, string? Unit, decimal? CentralShare, decimal? ProvincialShare, decimal? CityShare, decimal? CountyShare,
        string? SharesNote, string? Frequency, string? PaymentMonths, DateOnly? EffectiveFrom, DateOnly? EffectiveTo, string? Status, string? Source);

    public sealed record Outcome(ListView? Result, IReadOnlyList<PolicyListError> Errors);

    public static IServiceCollection AddPolicyLists(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(_ => PolicySeed.Load(config["Policies:Directory"] ?? Path.Combine(AppContext.BaseDirectory, "policies")));
        services.AddScoped<Handler>();
        return services;
    }

    public static void MapPolicyLists(this RouteGroupBuilder api)
    {
        var open = api.MapGroup("/public/policy-lists").AllowAnonymous().WithTags("Public");
        open.MapGet("", async Task<Results<Ok<ListView>, NotFound>> (string? region, int? year, Handler handler, CancellationToken ct) =>
                await handler.PublishedAsync(region, year, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("GetPublicPolicyList").WithSummary("A region's published policy list for a year (latest version), inherited items included");
        open.MapGet("/index", async (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.PublishedIndexAsync(ct)))
            .WithName("ListPublicPolicyLists").WithSummary("Every published list (region, year, version)");
        open.MapGet("/{id:guid}/diff", async Task<Results<Ok<DiffView>, NotFound>> (Guid id, Handler handler, CancellationToken ct) =>
                await handler.DiffAsync(id, publishedOnly: true, ct) is { } diff ? TypedResults.Ok(diff) : TypedResults.NotFound())
            .WithName("GetPublicPolicyListDiff").WithSummary("A published list against the previous year's: added, removed, changed columns");

        // Signed-in staff; who may draft, edit and publish (the list region's policy officers) is the handler's check, so a
        // refusal says why in Chinese instead of an empty 403.
        var staff = api.MapGroup("/policy-lists").WithTags("Policy lists");
        staff.MapGet("", async (string? region, int? year, Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(region, year, ct)))
            .WithName("ListPolicyLists").WithSummary("Lists of a region, drafts included for its policy officers");
        staff.MapGet("/{id:guid}", async Task<Results<Ok<ListView>, NotFound>> (Guid id, Handler handler, CancellationToken ct) =>
                await handler.GetAsync(id, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("GetPolicyList").WithSummary("One list version, a draft for its region's policy officers");
        staff.MapGet("/{id:guid}/diff", async Task<Results<Ok<DiffView>, NotFound>> (Guid id, Handler handler, CancellationToken ct) =>
                await handler.DiffAsync(id, publishedOnly: false, ct) is { } diff ? TypedResults.Ok(diff) : TypedResults.NotFound())
            .WithName("GetPolicyListDiff").WithSummary("A list (draft or published) against the previous year's");
        staff.MapPost("", async Task<Created<ListView>> (CreateRequest request, Handler handler, CancellationToken ct) =>
            {
                var list = await handler.CreateDraftAsync(request.RegionCode ?? "", request.Year, ct);
                return TypedResults.Created($"/api/policy-lists/{list.Id}", list);
            })
            .WithName("CreatePolicyListDraft").WithSummary("A draft for a year: a copy of that year's published list (a correction) or of the previous year's");
        staff.MapPut("/{id:guid}/items/{code}", async Task<Results<Ok<ListView>, ProblemHttpResult>> (Guid id, string code, ItemRequest request, Handler handler, CancellationToken ct) =>
                Respond(await handler.SaveItemAsync(id, code, request, ct)))
            .WithName("SavePolicyListItem").WithSummary("Adds or changes an item of a draft (field = items[i].shares …)");
        staff.MapDelete("/{id:guid}/items/{code}", async Task<Ok<ListView>> (Guid id, string code, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.RemoveItemAsync(id, code, ct)))
            .WithName("RemovePolicyListItem").WithSummary("Removes an item from a draft");
        staff.MapPost("/{id:guid}/publish", async Task<Results<Ok<ListView>, ProblemHttpResult>> (Guid id, Handler handler, CancellationToken ct) =>
                Respond(await handler.PublishAsync(id, ct)))
            .WithName("PublishPolicyList").WithSummary("Publishes a draft; a published list never changes");
    }

    private static Results<Ok<ListView>, ProblemHttpResult> Respond(Outcome outcome) =>
        outcome.Errors.Count > 0 ? Problems(outcome.Errors) : TypedResults.Ok(outcome.Result!);

    /// <summary>422 listing every problem, each located by field.</summary>
    public static ProblemHttpResult Problems(IReadOnlyList<PolicyListError> errors) => TypedResults.Problem(
        title: Resources.Ui.F("Policy.Problem", errors.Count),
        detail: string.Join(Resources.Ui.T("Policy.Separator"), errors.Select(e => Resources.Ui.Pick(e.MessageZh, e.MessageEn))),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = "PolicyListInvalid",
            ["errors"] = errors.Select(e => new { field = e.Field, code = e.Code, message = e.MessageZh, messageEn = e.MessageEn }).ToList(),
        });

    public static string LevelZh(PolicyLevel level) => level switch { PolicyLevel.Province => "省级", PolicyLevel.City => "市级", _ => "县级" };
    public static string StatusZh(PolicyListStatus status) => status == PolicyListStatus.Published ? "已发布" : "草稿";

    /// <summary>The use case; the API and the pages call it.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, AuditWriter audit, TimeProvider time, RegionDirectory regions)
    {
        /// <summary>The region's level, or a located refusal for a code that is not a province, city or county.</summary>
        public PolicyLevel LevelOf(string regionCode) => regions.Find(regionCode)?.Level switch
        {
            RegionLevel.Province => PolicyLevel.Province,
            RegionLevel.City => PolicyLevel.City,
            RegionLevel.County => PolicyLevel.County,
            _ => throw new OneCardException(ErrorKind.Invalid, "PolicyListRegionInvalid",
                $"地区“{regionCode}”不是省、市或县（区）级行政区划代码，不能设政策清单", $"'{regionCode}' is not a province, city or county."),
        };

        /// <summary>The regions above, province first: their published lists are inherited.</summary>
        private static IReadOnlyList<string> Ancestors(string regionCode, PolicyLevel level) => level switch
        {
            PolicyLevel.Province => [],
            PolicyLevel.City => ["210000"],
            _ => ["210000", regionCode[..4] + "00"],
        };

        public async Task<IReadOnlyList<Department>> DepartmentsAsync(CancellationToken ct) =>
            await db.Departments.AsNoTracking().OrderBy(d => d.Code).ToListAsync(ct);

        public async Task<ListView?> PublishedAsync(string? region, int? year, CancellationToken ct)
        {
            var code = string.IsNullOrWhiteSpace(region) ? "210000" : region.Trim();
            var query = db.PolicyLists.AsNoTracking().Where(l => l.RegionCode == code && l.Status == PolicyListStatus.Published);
            if (year is { } y) query = query.Where(l => l.Year == y);
            var list = await query.OrderByDescending(l => l.Year).ThenByDescending(l => l.Version).Include(l => l.Items).FirstOrDefaultAsync(ct);
            return list is null ? null : await ViewAsync(list, ct);
        }

        public async Task<IReadOnlyList<ListSummary>> PublishedIndexAsync(CancellationToken ct)
        {
            var lists = await db.PolicyLists.AsNoTracking().Where(l => l.Status == PolicyListStatus.Published)
                .Select(l => new { l.Id, l.RegionCode, l.Year, l.Version, l.Status, l.PublishedAt, Count = l.Items.Count }).ToListAsync(ct);
            // The latest published version of each region and year.
            return lists.GroupBy(l => (l.RegionCode, l.Year)).Select(g => g.OrderByDescending(l => l.Version).First())
                .OrderBy(l => l.RegionCode, StringComparer.Ordinal).ThenByDescending(l => l.Year)
                .Select(l => new ListSummary(l.Id, l.RegionCode, RegionName(l.RegionCode), l.Year, l.Version, l.Status.ToString(), StatusZh(l.Status), l.Count, l.PublishedAt))
                .ToList();
        }

        /// <summary>Every version of a region's lists; drafts only for that region's policy officers.</summary>
        public async Task<IReadOnlyList<ListSummary>> ListAsync(string? region, int? year, CancellationToken ct)
        {
            var me = user.Required;
            var code = string.IsNullOrWhiteSpace(region) ? me.RegionCode : region.Trim();
            var drafts = IsOfficerOf(me, code);
            var query = db.PolicyLists.AsNoTracking().Where(l => l.RegionCode == code && (drafts || l.Status == PolicyListStatus.Published));
            if (year is { } y) query = query.Where(l => l.Year == y);
            var lists = await query.OrderByDescending(l => l.Year).ThenByDescending(l => l.Version)
                .Select(l => new { l.Id, l.RegionCode, l.Year, l.Version, l.Status, l.PublishedAt, Count = l.Items.Count }).ToListAsync(ct);
            return lists.Select(l => new ListSummary(l.Id, l.RegionCode, RegionName(l.RegionCode), l.Year, l.Version, l.Status.ToString(), StatusZh(l.Status), l.Count, l.PublishedAt)).ToList();
        }

        public async Task<ListView?> GetAsync(Guid id, CancellationToken ct)
        {
            var list = await db.PolicyLists.AsNoTracking().Include(l => l.Items).SingleOrDefaultAsync(l => l.Id == id, ct);
            if (list is null || (list.Status == PolicyListStatus.Draft && !IsOfficerOf(user.User, list.RegionCode))) return null;
            return await ViewAsync(list, ct);
        }

        public async Task<DiffView?> DiffAsync(Guid id, bool publishedOnly, CancellationToken ct)
        {
            var list = await db.PolicyLists.AsNoTracking().Include(l => l.Items).SingleOrDefaultAsync(l => l.Id == id, ct);
            if (list is null || (list.Status == PolicyListStatus.Draft && (publishedOnly || !IsOfficerOf(user.User, list.RegionCode)))) return null;
            var previous = await db.PolicyLists.AsNoTracking().Include(l => l.Items)
                .Where(l => l.RegionCode == list.RegionCode && l.Year == list.Year - 1 && l.Status == PolicyListStatus.Published)
                .OrderByDescending(l => l.Version).FirstOrDefaultAsync(ct);
            var now = await ComposeAsync(list, ct);
            var then = previous is null ? [] : await ComposeAsync(previous, ct);
            var diff = PolicyListDiff.Compare(then.Select(x => x.Item), now.Select(x => x.Item));
            var summary = previous is null
                ? $"{list.Year - 1}年无已发布的清单，本清单{now.Count}项均为新增"
                : diff.IsEmpty ? $"与{previous.Year}年清单（第{previous.Version}版）相比无变化"
                : $"与{previous.Year}年清单（第{previous.Version}版）相比：新增{diff.Added.Count}项，取消{diff.Removed.Count}项，调整{diff.Changed.Count}项";
            return new DiffView(list.Id, list.RegionCode, RegionName(list.RegionCode), list.Year, list.Version, previous?.Id, previous?.Year, previous?.Version,
                previous is null ? now.Select(x => new PolicyItemRef(x.Item.Code, x.Item.NameZh)).ToList() : diff.Added, diff.Removed, diff.Changed, summary);
        }

        /// <summary>
        /// A new draft for a region and year: a copy of that year's latest published version (a correction, next version
        /// number), else of the previous year's latest list; one draft at a time per region and year.
        /// </summary>
        public async Task<ListView> CreateDraftAsync(string regionCode, int year, CancellationToken ct)
        {
            var me = RequireOfficer(regionCode.Trim(), "新建清单草稿");
            regionCode = regionCode.Trim();
            var level = LevelOf(regionCode);
            if (year is < 2000 or > 2100)
                throw new OneCardException(ErrorKind.Invalid, "PolicyListYearInvalid", $"年度“{year}”无效，应为2000至2100之间的年份", "The year must be within 2000-2100.");
            var versions = await db.PolicyLists.AsNoTracking().Where(l => l.RegionCode == regionCode && (l.Year == year || l.Year == year - 1))
                .Include(l => l.Items).ToListAsync(ct);
            if (versions.FirstOrDefault(l => l.Year == year && l.Status == PolicyListStatus.Draft) is { } open)
                throw new OneCardException(ErrorKind.Conflict, "PolicyListDraftExists",
                    $"{RegionName(regionCode)}{year}年清单已有草稿（第{open.Version}版），请继续编辑该草稿", "A draft for this year exists.");
            var source = versions.Where(l => l.Year == year).OrderByDescending(l => l.Version).FirstOrDefault()
                ?? versions.Where(l => l.Year == year - 1).OrderByDescending(l => l.Status == PolicyListStatus.Published).ThenByDescending(l => l.Version).FirstOrDefault();
            var list = new PolicyList
            {
                Id = Guid.CreateVersion7(), RegionCode = regionCode, Level = level, Year = year,
                Version = versions.Where(l => l.Year == year).Select(l => l.Version).DefaultIfEmpty(0).Max() + 1,
                CreatedBy = me.Id, CreatedAt = time.GetUtcNow(),
            };
            foreach (var item in source?.Items.OrderBy(i => i.Seq) ?? Enumerable.Empty<PolicyListItem>()) list.Items.Add(item.CopyTo(list.Id));

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.PolicyLists.Add(list);
            await audit.AppendAsync(db, me.Id, "PolicyListDraftCreated", "PolicyList", list.Id.ToString(), regionCode,
                new { year, version = list.Version, copiedFrom = source?.Id, copiedYear = source?.Year, copiedVersion = source?.Version, items = list.Items.Count }, ct);
            // Two officers creating the same version at once: the unique (region, year, version) index refuses the second (409).
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return await ViewAsync(list, ct);
        }

        /// <summary>Adds or changes one item of a draft; every problem of it is returned located, nothing saved.</summary>
        public async Task<Outcome> SaveItemAsync(Guid listId, string code, ItemRequest request, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var list = await LoadForChangeAsync(listId, ct);
            var me = RequireOfficer(list.RegionCode, "修改清单");
            list.EnsureDraft();
            var existing = list.Items.SingleOrDefault(i => i.Code == code);
            var index = existing is null ? list.Items.Count : list.Items.OrderBy(i => i.Seq).ToList().IndexOf(existing);
            var candidate = FromRequest(request, code, list, existing);
            var departments = (await db.Departments.AsNoTracking().Select(d => d.Code).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var errors = candidate.Validate(index, departments).ToList();
            if (!EnumNames.TryParse<PolicyTarget>(request.Target, out _, ignoreCase: true))
                errors.Add(new($"items[{index}].target", "TargetInvalid", $"第{index + 1}项：补贴对象类别“{request.Target}”无效，应为 Person（到人）或 Household（到户）", "target must be Person or Household."));
            if (request.Status is not null && !EnumNames.TryParse<PolicyItemStatus>(request.Status, out _, ignoreCase: true))
                errors.Add(new($"items[{index}].status", "ItemStatusInvalid", $"第{index + 1}项：状态“{request.Status}”无效，应为 Active（执行中）或 Stopped（停止执行）", "status must be Active or Stopped."));
            if (request.Code is { Length: > 0 } bodyCode && bodyCode != code)
                errors.Add(new($"items[{index}].code", "PolicyCodeMismatch", $"第{index + 1}项：政策代码不能修改（地址中为“{code}”，表单中为“{bodyCode}”）", "The code may not change."));
            if (existing is null && (await InheritedAsync(list, ct)).Any(x => x.Item.Code == code))
                errors.Add(new($"items[{index}].code", "PolicyCodeInherited",
                    $"第{index + 1}项：“{code}”已在上级清单中，本级清单只能增加本地项目，不能改写上级项目", "The code is an inherited item."));
            if (errors.Count > 0) return new Outcome(null, errors);

            var before = existing is null ? null : PolicyListDiff.Compare([existing], [candidate]).Changed.SelectMany(c => c.Changes).ToList();
            if (existing is null)
            {
                list.Items.Add(candidate);
                db.PolicyListItems.Add(candidate);
            }
            else Copy(candidate, existing);
            await audit.AppendAsync(db, me.Id, existing is null ? "PolicyListItemAdded" : "PolicyListItemChanged", "PolicyList", list.Id.ToString(), list.RegionCode,
                new { list.Year, list.Version, code, changes = before }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Outcome(await ViewAsync(list, ct), []);
        }

        public async Task<ListView> RemoveItemAsync(Guid listId, string code, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var list = await LoadForChangeAsync(listId, ct);
            var me = RequireOfficer(list.RegionCode, "修改清单");
            list.EnsureDraft();
            var item = list.Items.SingleOrDefault(i => i.Code == code)
                ?? throw new OneCardException(ErrorKind.NotFound, "PolicyItemNotFound", $"清单中没有政策“{code}”（上级清单的项目不能在本级删除）", $"No item '{code}' in this list.");
            list.Items.Remove(item);
            db.PolicyListItems.Remove(item);
            await audit.AppendAsync(db, me.Id, "PolicyListItemRemoved", "PolicyList", list.Id.ToString(), list.RegionCode, new { list.Year, list.Version, code, item.NameZh }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return await ViewAsync(list, ct);
        }

        /// <summary>Publishes a draft whose every item is valid; new local policies get their policy row (workflow standard-subsidy).</summary>
        public async Task<Outcome> PublishAsync(Guid listId, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var list = await LoadForChangeAsync(listId, ct);
            var me = RequireOfficer(list.RegionCode, "发布清单");
            list.EnsureDraft();
            var departments = (await db.Departments.AsNoTracking().Select(d => d.Code).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var errors = PolicyList.Validate(list.Items.OrderBy(i => i.Seq).ToList(), departments);
            if (list.Items.Count == 0)
                errors.Add(new("items", "PolicyListEmpty", "清单没有任何本级项目，不能发布", "The list has no items."));
            if (errors.Count > 0) return new Outcome(null, errors);

            var diff = await DiffAsync(list.Id, publishedOnly: false, ct);
            list.Publish(me.Id, time.GetUtcNow());
            foreach (var item in list.Items)
                if (!await db.Policies.AnyAsync(p => p.Code == item.Code, ct))
                    db.Policies.Add(new Policy
                    {
                        Id = Guid.CreateVersion7(), Code = item.Code, NameZh = item.NameZh, NameEn = item.NameZh, DepartmentCode = item.DepartmentCode,
                        Target = item.Target, Basis = item.Basis, Frequency = PolicySeed.FrequencyText(item.Frequency, item.PaymentMonths),
                        WorkflowDefinitionId = PolicySeed.WorkflowDefinitionId, Level = list.Level, RegionCode = list.RegionCode,
                    });
            await audit.AppendAsync(db, me.Id, "PolicyListPublished", "PolicyList", list.Id.ToString(), list.RegionCode,
                new { list.Year, list.Version, items = list.Items.Count, diff?.SummaryZh, added = diff?.Added.Select(a => a.Code), removed = diff?.Removed.Select(r => r.Code),
                    changed = diff?.Changed.Select(c => new { c.Code, fields = c.Changes.Select(f => f.Field) }) }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Outcome(await ViewAsync(list, ct), []);
        }

        /// <summary>The list, locked on PostgreSQL until the transaction ends so two changes to one draft run one after the other.</summary>
        private async Task<PolicyList> LoadForChangeAsync(Guid listId, CancellationToken ct)
        {
            if (db.IsPostgres)
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"PolicyLists\" WHERE \"Id\" = {listId} FOR UPDATE", ct);
            return await db.PolicyLists.Include(l => l.Items).SingleOrDefaultAsync(l => l.Id == listId, ct)
                ?? throw OneCardException.NotFound("Policy list", "政策清单");
        }

        private static bool IsOfficerOf(CurrentUser? me, string regionCode) => me is not null && me.Holds(Roles.PolicyOfficer) && me.RegionCode == regionCode;

        private CurrentUser RequireOfficer(string regionCode, string what)
        {
            var me = user.Required;
            if (!me.Holds(Roles.PolicyOfficer))
                throw new OneCardException(ErrorKind.Forbidden, "NotPolicyOfficer", $"只有政策管理员可以{what}", $"Only a policy officer may do this ({what}).");
            if (me.RegionCode != regionCode)
                throw new OneCardException(ErrorKind.Forbidden, "NotPolicyOfficerOfRegion",
                    $"您是{RegionName(me.RegionCode)}的政策管理员，不能{what}：该清单属于{RegionName(regionCode)}", $"Only {regionCode}'s policy officers may do this.");
            return me;
        }

        private string RegionName(string code) => regions.Find(code) is { } r ? (r.Level == RegionLevel.Province ? r.Name : regions.FullName(code)) : code;

        private PolicyListItem FromRequest(ItemRequest r, string code, PolicyList list, PolicyListItem? existing) => new()
        {
            Id = existing?.Id ?? Guid.CreateVersion7(), ListId = list.Id, Seq = existing?.Seq ?? list.Items.Select(i => i.Seq).DefaultIfEmpty(0).Max() + 1,
            Code = code.Trim(), NameZh = r.NameZh?.Trim() ?? "", Level = list.Level, DepartmentCode = r.DepartmentCode?.Trim() ?? "", Basis = r.Basis?.Trim() ?? "",
            Target = EnumNames.TryParse<PolicyTarget>(r.Target, out var target, ignoreCase: true) ? target : PolicyTarget.Person, TargetText = r.TargetText?.Trim() ?? "", StandardText = r.StandardText?.Trim() ?? "", Amount = r.Amount,
            Unit = string.IsNullOrWhiteSpace(r.Unit) ? null : r.Unit.Trim(),
            CentralShare = r.CentralShare, ProvincialShare = r.ProvincialShare, CityShare = r.CityShare, CountyShare = r.CountyShare,
            SharesNote = string.IsNullOrWhiteSpace(r.SharesNote) ? null : r.SharesNote.Trim(), Frequency = r.Frequency?.Trim() ?? "",
            PaymentMonths = PolicyListItem.ParseMonths(r.PaymentMonths, out var months) is null ? MonthsText(months) : r.PaymentMonths ?? "",
            EffectiveFrom = r.EffectiveFrom ?? new DateOnly(list.Year, 1, 1), EffectiveTo = r.EffectiveTo,
            Status = EnumNames.TryParse<PolicyItemStatus>(r.Status, out var status, ignoreCase: true) ? status : PolicyItemStatus.Active, Source = r.Source?.Trim() ?? "",
        };

        /// <summary>Months written back in their shortest form: 1-12, 6, 3,6,9,12.</summary>
        private static string MonthsText(IReadOnlyList<int> months)
        {
            if (months.Count == 0) return "";
            if (months.Count > 2 && months[^1] - months[0] == months.Count - 1)
                return $"{months[0].ToString(CultureInfo.InvariantCulture)}-{months[^1].ToString(CultureInfo.InvariantCulture)}";
            return string.Join(",", months.Select(m => m.ToString(CultureInfo.InvariantCulture)));
        }

        private static void Copy(PolicyListItem from, PolicyListItem to)
        {
            to.NameZh = from.NameZh; to.DepartmentCode = from.DepartmentCode; to.Basis = from.Basis; to.Target = from.Target; to.TargetText = from.TargetText;
            to.StandardText = from.StandardText; to.Amount = from.Amount; to.Unit = from.Unit; to.CentralShare = from.CentralShare;
            to.ProvincialShare = from.ProvincialShare; to.CityShare = from.CityShare; to.CountyShare = from.CountyShare; to.SharesNote = from.SharesNote;
            to.Frequency = from.Frequency; to.PaymentMonths = from.PaymentMonths; to.EffectiveFrom = from.EffectiveFrom; to.EffectiveTo = from.EffectiveTo;
            to.Status = from.Status; to.Source = from.Source;
        }

        /// <summary>The published lists above the region for the list's year (latest version each), province first.</summary>
        private async Task<List<(PolicyListItem Item, string From)>> InheritedAsync(PolicyList list, CancellationToken ct)
        {
            var result = new List<(PolicyListItem, string)>();
            foreach (var region in Ancestors(list.RegionCode, list.Level))
            {
                var above = await db.PolicyLists.AsNoTracking().Include(l => l.Items)
                    .Where(l => l.RegionCode == region && l.Year == list.Year && l.Status == PolicyListStatus.Published)
                    .OrderByDescending(l => l.Version).FirstOrDefaultAsync(ct);
                if (above is not null) result.AddRange(above.Items.OrderBy(i => i.Seq).Select(i => (i, region)));
            }
            return result;
        }

        /// <summary>Inherited rows first (read-only), then the region's own.</summary>
        private async Task<List<(PolicyListItem Item, string From)>> ComposeAsync(PolicyList list, CancellationToken ct)
        {
            var all = await InheritedAsync(list, ct);
            all.AddRange(list.Items.OrderBy(i => i.Seq).Select(i => (i, list.RegionCode)));
            return all;
        }

        private async Task<ListView> ViewAsync(PolicyList list, CancellationToken ct)
        {
            var departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Code, d => d.NameZh, ct);
            var rows = await ComposeAsync(list, ct);
            var items = rows.Select((x, n) => new ItemView(n + 1, x.Item.Code, x.Item.NameZh, x.Item.Level.ToString(), LevelZh(x.Item.Level), x.Item.DepartmentCode,
                departments.GetValueOrDefault(x.Item.DepartmentCode, x.Item.DepartmentCode), x.Item.Basis, x.Item.Target.ToString(),
                x.Item.Target == PolicyTarget.Person ? "到人" : "到户", x.Item.TargetText, x.Item.StandardText, x.Item.Amount, x.Item.Unit,
                x.Item.CentralShare, x.Item.ProvincialShare, x.Item.CityShare, x.Item.CountyShare, x.Item.SharesNote, x.Item.SharesText,
                x.Item.Frequency, x.Item.PaymentMonths, x.Item.EffectiveFrom, x.Item.EffectiveTo, x.Item.EffectiveText, x.Item.Status.ToString(),
                x.Item.Status == PolicyItemStatus.Active ? "执行中" : "停止执行", x.Item.Source, x.From != list.RegionCode, x.From, RegionName(x.From))).ToList();
            return new ListView(list.Id, list.RegionCode, RegionName(list.RegionCode), list.Level.ToString(), list.Year, list.Version, list.Status.ToString(),
                StatusZh(list.Status), list.PublishedAt, list.PublishedBy, items);
        }
    }
}
