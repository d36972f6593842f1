using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Identity;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Policies;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Cases;
using OneCard.Host.Payments;
using OneCard.Host.Platform;
using OneCard.Host.Tasks;
using OneCard.Persistence;

namespace OneCard.Host.Demo;

/// <summary>
/// Reference data every installation needs (the agent bank; departments and policies come from policies/ via PolicySeed) and, for
/// the demo, users of every role and cases at every step — made through the real use cases, with
/// the clock replayed, so the demo shows exactly what production would record.
/// </summary>
public static class DemoData
{
    public const string Password = "onecard-demo";
    public const string PolicyCode = "arable-land-protection";
    /// <summary>The 民政 demo case's policy: its rule set has standards for all of 沈阳 (city 2101), 法库县 included.</summary>
    public const string CivilPolicyCode = "elderly-longevity-allowance";
    public const string Township = "210124101";   // 沈阳市 法库县 大孤家子镇
    public const string OtherTownship = "210124102"; // 沈阳市 法库县 三面船镇
    public const string County = "210124";         // 法库县
    public const string OtherCounty = "210123";    // 康平县
    public const string KangpingTownship = "210123101"; // 沈阳市 康平县 小城子镇

    /// <summary>The demo users; <see cref="Roles"/> may hold several roles (granted by <c>seed</c>).</summary>
    public static readonly IReadOnlyList<(string UserName, string DisplayName, string[] Roles, string Region, string? Organisation, string? Department)> Users =
    [
        ("clerk", "王经办（大孤家子镇）", [Roles.TownshipClerk], Township, null, DepartmentCodes.Agriculture),
        // Separation of duties: the township's second clerk reviews what the first one submitted.
        ("clerk.review", "钱审核（大孤家子镇）", [Roles.TownshipClerk], Township, null, DepartmentCodes.Agriculture),
        ("clerk2", "赵经办（三面船镇）", [Roles.TownshipClerk], OtherTownship, null, DepartmentCodes.Agriculture),
        ("clerk2.review", "孔审核（三面船镇）", [Roles.TownshipClerk], OtherTownship, null, DepartmentCodes.Agriculture),
        // 康平县: a township's two clerks, the county reviewer (below) and a third-party inspector, so its cases run the whole way.
        ("clerk.kangping", "曹经办（康平县小城子镇）", [Roles.TownshipClerk], KangpingTownship, null, DepartmentCodes.Agriculture),
        ("clerk.kangping.review", "严审核（康平县小城子镇）", [Roles.TownshipClerk], KangpingTownship, null, DepartmentCodes.Agriculture),
        // Departments: the same township's 民政 clerk sees none of its 农业农村 cases.
        ("clerk.civil", "吴经办（大孤家子镇民政）", [Roles.TownshipClerk], Township, null, DepartmentCodes.Civil),
        // The 民政 line's own review chain: the township's second 民政 clerk and the county 民政局 reviewer.
        ("clerk.civil.review", "郑审核（大孤家子镇民政）", [Roles.TownshipClerk], Township, null, DepartmentCodes.Civil),
        ("reviewer.civil", "冯审核（法库县民政局）", [Roles.CountyReviewer], County, null, DepartmentCodes.Civil),
        ("reviewer", "李审核（法库县农业农村局）", [Roles.CountyReviewer], County, null, DepartmentCodes.Agriculture),
        ("reviewer.kangping", "孙审核（康平县农业农村局）", [Roles.CountyReviewer], OtherCounty, null, DepartmentCodes.Agriculture),
        ("inspector", "周核查（第三方）", [Roles.Inspector], County, "辽宁惠民评估咨询有限公司（演示）", null),
        ("inspector.kangping", "魏核查（第三方，康平县）", [Roles.Inspector], OtherCounty, "辽宁惠民评估咨询有限公司（演示）", null),
        ("finance", "陈复核（法库县财政局）", [Roles.FinanceReviewer], County, null, null),
        // Several roles: 康平县财政局 rechecks the county's payments and supervises its 一卡通 work (time limits, overdue tasks),
        // as a county finance bureau does; both roles see across departments.
        ("finance.kangping", "何复核（康平县财政局）", [Roles.FinanceReviewer, Roles.Supervisor], OtherCounty, null, null),
        ("supervisor", "刘监管（沈阳市财政局）", [Roles.Supervisor], "210100", null, null),
        ("admin", "系统管理员（辽宁省财政厅）", [Roles.Administrator], "210000", null, null),
        ("policy", "王政策（辽宁省民政厅）", [Roles.PolicyOfficer], "210000", null, null),
        ("policy2", "赵政策（辽宁省民政厅）", [Roles.PolicyOfficer], "210000", null, null),
    ];

    /// <summary>The demo agreement's number: 沈阳市 with the demo bank, covering every policy of the city's counties.</summary>
    public const string DemoAgreementNo = "SY-DF-2026-001";

    /// <summary>The second demo agreement: 法库县 with 辽宁农信, so a 法库县 case with accounts at both banks pays in two batches.</summary>
    public const string SecondAgreementNo = "FK-DF-2026-001";

    /// <summary>The second demo bank (辽宁省农村信用社联合社).</summary>
    public const string SecondBankCode = "LNRCU";

    /// <summary>
    /// The demo agent banks (each with the names rosters give it), their selection records and agreements: 沈阳市 with 邮储银行
    /// for every policy of the city, 法库县 with 辽宁农信 (keys made here, stored sealed). Each item is added when missing.
    /// </summary>
    public static async Task EnsureReferenceDataAsync(OneCardDbContext db, PersonalDataProtector protector, DateTimeOffset now)
    {
        if (!await db.AgentBanks.AnyAsync(b => b.Code == "PSBC-LN"))
            db.AgentBanks.Add(new AgentBank { Code = "PSBC-LN", NameZh = "中国邮政储蓄银行辽宁省分行（演示）", NameEn = "Postal Savings Bank of China, Liaoning (demo)" });
        if (!await db.AgentBanks.AnyAsync(b => b.Code == SecondBankCode))
            db.AgentBanks.Add(new AgentBank { Code = SecondBankCode, NameZh = "辽宁省农村信用社联合社（演示）", NameEn = "Liaoning Rural Credit Union (demo)" });
        await db.SaveChangesAsync();
        (string Alias, string Bank)[] aliases =
        [
            ("中国邮政储蓄银行", "PSBC-LN"), ("邮储银行", "PSBC-LN"), ("邮储", "PSBC-LN"), ("邮政储蓄银行", "PSBC-LN"),
            ("辽宁农信", SecondBankCode), ("辽宁省农村信用社", SecondBankCode), ("农村信用社", SecondBankCode), ("农信社", SecondBankCode),
        ];
        var known = await db.AgentBankAliases.Select(a => a.Alias).ToListAsync();
        foreach (var (alias, bank) in aliases.Where(a => !known.Contains(a.Alias)))
            db.AgentBankAliases.Add(new AgentBankAlias { Alias = alias, AgentBankCode = bank });
        (string Region, string Bank, SelectionMethod Method, string Document, DateOnly On)[] selections =
        [
            ("210100", "PSBC-LN", SelectionMethod.PublicTender, "沈财采〔2025〕88号（演示）", new DateOnly(2025, 11, 28)),
            (County, SecondBankCode, SelectionMethod.CompetitiveConsultation, "法财采〔2025〕17号（演示）", new DateOnly(2025, 12, 5)),
        ];
        foreach (var (region, bank, method, document, on) in selections)
            if (!await db.AgentBankSelections.AnyAsync(s => s.RegionCode == region && s.AgentBankCode == bank))
                db.AgentBankSelections.Add(new AgentBankSelection
                {
                    Id = Guid.CreateVersion7(), RegionCode = region, AgentBankCode = bank, SelectedOn = on, Method = method, DocumentNo = document,
                    Note = "演示数据", CreatedBy = SeededBy, CreatedAt = now,
                });
        (string No, string Bank, string Region, DateOnly Signed)[] agreements =
        [
            (DemoAgreementNo, "PSBC-LN", "210100", new DateOnly(2025, 12, 20)),
            (SecondAgreementNo, SecondBankCode, County, new DateOnly(2025, 12, 22)),
        ];
        foreach (var (no, bank, region, signed) in agreements)
            if (!await db.BankAgreements.IgnoreQueryFilters().AnyAsync(a => a.AgreementNo == no))
                db.BankAgreements.Add(new BankAgreement
                {
                    Id = Guid.CreateVersion7(), AgreementNo = no, AgentBankCode = bank, RegionCode = region,
                    SignedOn = signed, ValidFrom = new DateOnly(2026, 1, 1), ValidTo = new DateOnly(2028, 12, 31),
                    FeeTerms = "代发手续费由同级财政承担，不向补贴对象收取（演示）",
                    ServiceTerms = "按指令足额代发；到账后短信告知；不得代扣代缴；数据加密传输并保密（演示）",
                    FileFormat = "onecard-csv-v1",
                    EncryptionKeyCipher = protector.Encrypt(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))),
                    SigningKeyCipher = protector.Encrypt(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
                    Status = AgreementStatus.Active, CreatedBy = SeededBy, CreatedAt = now,
                });
        await db.SaveChangesAsync();
    }

    /// <summary>A roster whose every third person banks with 辽宁农信: the demo's case at payment shows one batch per bank.</summary>
    public static IReadOnlyList<ClaimInput> WithSecondBank(IReadOnlyList<ClaimInput> roster) =>
        [.. roster.Select((l, i) => i % 3 == 2 ? l with { BankName = "辽宁农信法库县联社" } : l)];

    /// <summary>Who granted a demo user's roles (the audit chain has no entry for them: they are seed data, not an act).</summary>
    public const string SeededBy = "seed";

    /// <param name="at">When the roles count as granted (the host's clock at seeding); the Unix epoch when not given.</param>
    public static async Task EnsureDemoUsersAsync(OneCardDbContext db, IPasswordHasher<User> hasher, DateTimeOffset? at = null)
    {
        var grantedAt = at ?? DateTimeOffset.UnixEpoch;
        foreach (var (userName, displayName, roles, region, organisation, department) in Users)
        {
            if (await db.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.UserName == userName) is { } existing)
            {
                // A demo database made before departments existed: its users get theirs (signed in again, they carry it).
                if (existing.DepartmentCode is null && department is not null) existing.DepartmentCode = department;
                // One made before roles were a set holds the role the migration moved; it gets the demo's other roles.
                foreach (var role in roles) existing.Grant(role, SeededBy, grantedAt);
                continue;
            }
            var user = new User
            {
                Id = "u-" + userName, UserName = userName, DisplayName = displayName, RegionCode = region, Organisation = organisation,
                DepartmentCode = department, PasswordHash = "",
            };
            foreach (var role in roles) user.Grant(role, SeededBy, grantedAt);
            user.PasswordHash = hasher.HashPassword(user, Password);
            db.Users.Add(user);
        }
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Seven 农业农村 cases (submitted by clerk, reviewed by clerk.review) resting at TownshipReview, CountyReview, SampleCheck,
    /// Publicity, FinanceRecheck, Payment and Publicized, one 民政 case (高龄津贴, submitted by clerk.civil, passed by
    /// clerk.civil.review) resting at CountyReview for reviewer.civil, and the cases of <see cref="EveryStep"/> (退回修改, 异议处理 with an
    /// open objection, 已驳回, 已撤回 in both townships and 康平县; work for clerk2, clerk2.review and reviewer.kangping), then 法库县's
    /// snapshots and a drawn 事后专项核查 (<see cref="DemoRegistry"/>); idempotent.
    /// </summary>
    public static async Task EnsureDemoCasesAsync(IServiceProvider services)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
            await EnsureDemoUsersAsync(db, scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>(),
                scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow());
            var seeded = await db.Applications.AnyAsync();
            // A demo database seeded before every step had its case gets the rest (keyed by the 康平县 township's cases).
            if (seeded && !await db.Applications.AnyAsync(a => a.RegionCode == KangpingTownship))
                await EnsureEveryStepAsync(services, DemoUsers(), services.GetRequiredService<TimeProvider>().GetUtcNow());
            // … and one seeded before the demo had a registry and a campaign gets those (keyed by any snapshot).
            if (seeded) await DemoRegistry.EnsureAsync(services, DemoUsers(), services.GetRequiredService<TimeProvider>().GetUtcNow());
            if (seeded) return;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var users = DemoUsers();
        // When each case was submitted, in days before now, so that it rests in its step the way a real
        // one would: the first is overdue in township review, publicity is still open, the rest are in time.
        await EnsureDemoIndicatorsAsync(services, users["finance"], now);
        int[] submittedDaysAgo = [12, 3, 4, 6, 13, 16, 20];
        for (var c = 0; c < submittedDaysAgo.Length; c++)
        {
            var at = now.AddDays(-submittedDaysAgo[c]);
            var seed = 1000 + c;
            Guid id = default;
            await As(services, users["clerk"], at, async sp =>
            {
                var roster = c == 5 ? WithSecondBank(Roster(seed, 12)) : Roster(seed, 12);
                var outcome = await sp.GetRequiredService<SubmitApplication.Handler>().SubmitAsync(PolicyCode, "2026", ApplicationSource.Roster, roster, default);
                id = outcome.Result!.Id;
            });
            await As(services, users["clerk.review"], at, async sp =>
            {
                // One faulty line is rejected by the reviewing clerk so the case can move on.
                var detail = await sp.GetRequiredService<ReadApplications.Handler>().GetAsync(id, default);
                var faulted = detail.Lines.Where(l => l.Outcome == nameof(LineOutcome.Faulted)).Select(l => l.LineNo).ToList();
                if (faulted.Count > 0) await sp.GetRequiredService<ActOnCase.Handler>().RejectLinesAsync(id, faulted, "演示：规则故障明细", default);
            });
            async Task Act(string user, string action, int afterDays)
            {
                await As(services, users[user], at.AddDays(afterDays), sp => sp.GetRequiredService<CaseEngine>().ActAsync(CaseSubject.Application(id), action, "演示数据", default));
            }
            if (c >= 1) await Act("clerk.review", "Approve", 1);
            if (c >= 2) await Act("reviewer", "Approve", 2);
            if (c >= 3)
            {
                await As(services, users["inspector"], at.AddDays(3), async sp =>
                {
                    var detail = await sp.GetRequiredService<ReadApplications.Handler>().GetAsync(id, default);
                    foreach (var line in detail.Lines.Where(l => l.Sampled))
                        await sp.GetRequiredService<ActOnCase.Handler>().RecordSampleResultAsync(id, line.LineNo, true, "现场核实面积与承包合同一致", default);
                });
                await Act("inspector", "Complete", 3);
            }
            if (c >= 4)
            {
                await As(services, null, at.AddDays(11), sp => sp.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default));
            }
            if (c >= 5) await Act("finance", "Approve", 12);
            if (c >= 6)
            {
                await As(services, users["finance"], at.AddDays(14), async sp =>
                {
                    // The demo bank pays every line but the second of each batch released to it.
                    var bank = sp.GetRequiredService<BankFiles.Handler>();
                    var indicators = sp.GetRequiredService<Indicators.Handler>();
                    foreach (var batch in await bank.ListAsync(id, default))
                    {
                        // Finance allocates each batch to the county's indicator and releases it to the bank before the file exists.
                        var allocation = await indicators.AllocationAsync(batch.Id, default);
                        var indicator = allocation.Candidates.First(c => c.Remaining >= batch.TotalAmount);
                        var allocated = await indicators.AllocateAsync(batch.Id, [new(indicator.Id, batch.TotalAmount)], default);
                        if (allocated.Errors.Count > 0) throw new InvalidOperationException(string.Join("；", allocated.Errors.Select(e => e.MessageZh)));
                        await sp.GetRequiredService<CaseEngine>().ActAsync(PaymentBatchCases.Subject(batch.Id), "Release", "演示数据", default);
                        var (_, content) = await bank.BankFileAsync(batch.Id, default);
                        byte[] file;
                        await using (content) { using var copy = new MemoryStream(); await content.CopyToAsync(copy); file = copy.ToArray(); }
                        var results = await DemoBank.RespondAsync(sp, file, [2]);
                        await bank.ImportResultsAsync(batch.Id, new MemoryStream(results), default);
                    }
                });
            }
        }
        await EnsureCivilCaseAsync(services, users, now.AddDays(-2));
        await EnsureEveryStepAsync(services, users, now);
        await DemoRegistry.EnsureAsync(services, users, now);
    }

    private static Dictionary<string, CurrentUser> DemoUsers() =>
        Users.ToDictionary(u => u.UserName, u => new CurrentUser("u-" + u.UserName, u.UserName, u.DisplayName, Roles.Ordered(u.Roles), u.Region, u.Organisation, u.Department));

    /// <summary>A place the demo runs cases in, and who acts there: submitting clerk, reviewing clerk, county reviewer, inspector.</summary>
    public sealed record Place(string Name, string Township, string Clerk, string ReviewClerk, string Reviewer, string Inspector);

    public static readonly Place Dagujiazi = new("大孤家子镇", Township, "clerk", "clerk.review", "reviewer", "inspector");
    public static readonly Place Sanmianchuan = new("三面船镇", OtherTownship, "clerk2", "clerk2.review", "reviewer", "inspector");
    public static readonly Place Kangping = new("康平县", KangpingTownship, "clerk.kangping", "clerk.kangping.review", "reviewer.kangping", "inspector.kangping");

    /// <summary>
    /// The steps each place has a case resting in, beyond 大孤家子镇's main path (TownshipReview … Publicized, made above): every place has a
    /// case 退回修改 (Returned), in 异议处理 with an open objection (ObjectionReview), 已驳回 (Rejected) and 已撤回 (Withdrawn); 三面船镇 has one
    /// waiting for clerk2.review at township review, 康平县 one waiting for reviewer.kangping at county review. README promises this.
    /// </summary>
    public static readonly IReadOnlyList<(Place Place, string[] Steps)> EveryStep =
    [
        (Dagujiazi, ["Returned", "ObjectionReview", "Rejected", "Withdrawn"]),
        (Sanmianchuan, ["TownshipReview", "Returned", "ObjectionReview", "Rejected", "Withdrawn"]),
        (Kangping, ["CountyReview", "Returned", "ObjectionReview", "Rejected", "Withdrawn"]),
    ];

    private static async Task EnsureEveryStepAsync(IServiceProvider services, IReadOnlyDictionary<string, CurrentUser> users, DateTimeOffset now)
    {
        var seed = 3000;
        foreach (var (place, steps) in EveryStep)
            foreach (var step in steps)
                await CaseAtAsync(services, users, place, step, now.AddDays(step == "ObjectionReview" ? -14 : -5), seed++);
        await As(services, null, now, sp => sp.GetRequiredService<DeadlineSweepJob>().RunAsync(default));
    }

    /// <summary>A small roster of <paramref name="place"/> driven through the real use cases until it rests at <paramref name="step"/>.</summary>
    private static async Task CaseAtAsync(IServiceProvider services, IReadOnlyDictionary<string, CurrentUser> users, Place place, string step,
        DateTimeOffset at, int seed)
    {
        Guid id = default;
        await As(services, users[place.Clerk], at, async sp =>
        {
            var outcome = await sp.GetRequiredService<SubmitApplication.Handler>().SubmitAsync(PolicyCode, "2026", ApplicationSource.Roster,
                Roster(seed, 6, place.Township), default);
            id = outcome.Result?.Id ?? throw new InvalidOperationException($"演示数据：{place.Name}的花名册未能提交");
        });
        Task Act(string user, string action, string comment, int afterDays) =>
            As(services, users[user], at.AddDays(afterDays), sp => sp.GetRequiredService<CaseEngine>().ActAsync(CaseSubject.Application(id), action, comment, default));
        await As(services, users[place.ReviewClerk], at, async sp =>
        {
            var detail = await sp.GetRequiredService<ReadApplications.Handler>().GetAsync(id, default);
            var faulted = detail.Lines.Where(l => l.Outcome == nameof(LineOutcome.Faulted)).Select(l => l.LineNo).ToList();
            if (faulted.Count > 0) await sp.GetRequiredService<ActOnCase.Handler>().RejectLinesAsync(id, faulted, "演示：规则故障明细", default);
        });
        switch (step)
        {
            case "TownshipReview":
                return;
            case "Returned" or "Withdrawn":
                await Act(place.ReviewClerk, "Return", "演示：第3条承包面积与确权登记不一致，请核实后重新提交", 1);
                if (step == "Withdrawn") await Act(place.Clerk, "Withdraw", "演示：本期花名册重复上报，撤回", 2);
                return;
        }
        await Act(place.ReviewClerk, "Approve", "演示数据", 1);
        if (step == "CountyReview") return;
        if (step == "Rejected")
        {
            await Act(place.Reviewer, "Reject", "演示：申报期次与本县补贴发放安排不符，不予受理", 2);
            return;
        }
        // ObjectionReview: through the county review and the sample check into 公示; a citizen objects; the period ends with it open.
        await Act(place.Reviewer, "Approve", "演示数据", 2);
        await As(services, users[place.Inspector], at.AddDays(3), async sp =>
        {
            var detail = await sp.GetRequiredService<ReadApplications.Handler>().GetAsync(id, default);
            foreach (var line in detail.Lines.Where(l => l.Sampled))
                await sp.GetRequiredService<ActOnCase.Handler>().RecordSampleResultAsync(id, line.LineNo, true, "现场核实面积与承包合同一致", default);
        });
        await Act(place.Inspector, "Complete", "演示数据", 3);
        await As(services, null, at.AddDays(4), async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var notice = await db.PublicNotices.AsNoTracking().Include(n => n.Lines)
                .SingleAsync(n => n.ApplicationId == id && n.Kind == Domain.Publications.NoticeKind.Publicity);
            await sp.GetRequiredService<Publicity.PublicNotices.Handler>().LodgeAsync(notice.Id,
                new Publicity.PublicNotices.ObjectionRequest(notice.Lines.Min(l => l.LineNo), "演示：此户承包地已流转给合作社经营，不应再领取补贴", "13800000000"), default);
        });
        await As(services, null, at.AddDays(11), sp => sp.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default));
    }

    /// <summary>
    /// The county's budget indicators for the demo policies (this year and, near a new year, the last): 耕地地力保护补贴 from a
    /// central 直达资金 document and 高龄津贴 shared by province, city and county, registered by the county's finance.
    /// </summary>
    private static async Task EnsureDemoIndicatorsAsync(IServiceProvider services, CurrentUser finance, DateTimeOffset now)
    {
        var local = now.ToOffset(TimeSpan.FromHours(8));
        foreach (var year in new[] { local.AddDays(-30).Year, local.Year }.Distinct())
            await As(services, finance, now, async sp =>
            {
                var handler = sp.GetRequiredService<Indicators.Handler>();
                foreach (var request in new Indicators.CreateRequest[]
                {
                    new($"财农〔{year}〕12号", $"{year}年耕地地力保护补贴（中央直达资金）", year, nameof(IndicatorLevel.Central), 2_000_000m, 0, 0, 0, true,
                        PolicyCode, County, 2_000_000m),
                    new($"辽财社〔{year}〕35号", $"{year}年高龄津贴", year, nameof(IndicatorLevel.Provincial), 0, 300_000m, 100_000m, 100_000m, false,
                        CivilPolicyCode, County, 500_000m),
                })
                {
                    var outcome = await handler.CreateAsync(request, default);
                    if (outcome.Errors.Count > 0) throw new InvalidOperationException(string.Join("；", outcome.Errors.Select(e => e.MessageZh)));
                }
            });
    }

    /// <summary>The second department at work: a 高龄津贴 roster of the same township, passed at township review by the other 民政 clerk.</summary>
    private static async Task EnsureCivilCaseAsync(IServiceProvider services, IReadOnlyDictionary<string, CurrentUser> users, DateTimeOffset at)
    {
        Guid id = default;
        await As(services, users["clerk.civil"], at, async sp =>
        {
            var outcome = await sp.GetRequiredService<SubmitApplication.Handler>().SubmitAsync(CivilPolicyCode, at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", CultureInfo.InvariantCulture),
                ApplicationSource.Roster, ElderlyRoster(2000, 10), default);
            id = outcome.Result!.Id;
        });
        await As(services, users["clerk.civil.review"], at.AddDays(1), async sp =>
        {
            var detail = await sp.GetRequiredService<ReadApplications.Handler>().GetAsync(id, default);
            var faulted = detail.Lines.Where(l => l.Outcome == nameof(LineOutcome.Faulted)).Select(l => l.LineNo).ToList();
            if (faulted.Count > 0) await sp.GetRequiredService<ActOnCase.Handler>().RejectLinesAsync(id, faulted, "演示：规则故障明细", default);
            await sp.GetRequiredService<CaseEngine>().ActAsync(CaseSubject.Application(id), "Approve", "演示数据", default);
        });
    }

    /// <summary>
    /// A township's 高龄津贴 roster for one month: people born 1925–1945 (80 to 100 and over), about half in a 低保 household, so
    /// that 80–89-year-olds outside 低保 come out ineligible and the others take their tier's standard.
    /// </summary>
    public static IReadOnlyList<ClaimInput> ElderlyRoster(int seed, int count, string township = Township)
    {
        var random = new Random(seed);
        var ids = new HashSet<string>(count, StringComparer.Ordinal);
        var lines = new List<ClaimInput>(count);
        while (lines.Count < count)
        {
            var birth = new DateOnly(1925, 1, 1).AddDays(random.Next(0, 365 * 20));
            var body = $"{County}{birth:yyyyMMdd}{random.Next(100, 999)}";
            var id = body + IdNumber.CheckCharacter(body);
            if (!ids.Add(id)) continue;
            var name = Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];
            lines.Add(new ClaimInput(lines.Count + 2, name, id, township, MakeAccount(random), "中国邮政储蓄银行法库县支行",
                new Dictionary<string, string?> { ["InMinimumLivingHousehold"] = random.Next(2) == 0 ? "是" : "否" }));
        }
        return lines;
    }

    /// <summary>Runs <paramref name="work"/> in a scope as <paramref name="user"/> (the system when null), the clock reading <paramref name="at"/>.</summary>
    internal static async Task As(IServiceProvider services, CurrentUser? user, DateTimeOffset at, Func<IServiceProvider, Task> work)
    {
        await SeedableClock.RunAsOf(at, async () =>
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<UserContext>();
            if (user is null) context.SetSystem(); else context.SetUser(user);
            await work(scope.ServiceProvider);
        });
    }

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "欧阳"];
    private static readonly string[] GivenNames = ["秀英", "桂兰", "建国", "淑珍", "玉兰", "国强", "凤芝", "振华", "长江", "春生", "淑华", "德福", "永清", "海燕", "立新"];

    /// <summary>
    /// A realistic township roster: distinct valid IDs, Luhn-valid accounts, real-looking areas; the fourth
    /// plot and about 2% of the rest were converted to other uses and are ineligible. Demo, tests and bench share it.
    /// </summary>
    public static IReadOnlyList<ClaimInput> Roster(int seed, int count, string township = Township)
    {
        var random = new Random(seed);
        var ids = new HashSet<string>(count, StringComparer.Ordinal);
        var lines = new List<ClaimInput>(count);
        while (lines.Count < count)
        {
            // A roster names each person once; the generator's birthday-paradox repeats are drawn again.
            var id = MakeId(random, County);
            if (!ids.Add(id)) continue;
            var name = Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];
            var area = Math.Round((decimal)(random.NextDouble() * 30 + 1.5), 2);
            var converted = random.Next(50) == 0 || lines.Count == 3;
            lines.Add(new ClaimInput(lines.Count + 2, name, id, township, MakeAccount(random), "中国邮政储蓄银行法库县支行",
                new Dictionary<string, string?>
                {
                    ["AreaMu"] = area.ToString(CultureInfo.InvariantCulture),
                    ["LandConverted"] = converted ? "是" : "否",
                }));
        }
        return lines;
    }

    public static string MakeId(Random random, string areaCode)
    {
        var birth = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 365 * 45));
        var body = $"{areaCode}{birth:yyyyMMdd}{random.Next(100, 999)}";
        return body + IdNumber.CheckCharacter(body);
    }

    public static string MakeAccount(Random random)
    {
        var digits = "621799" + string.Concat(Enumerable.Range(0, 12).Select(_ => random.Next(10).ToString(CultureInfo.InvariantCulture)));
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return digits + ((10 - sum % 10) % 10).ToString(CultureInfo.InvariantCulture);
    }
}
