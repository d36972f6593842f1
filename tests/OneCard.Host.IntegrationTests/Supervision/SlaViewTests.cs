using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MiniExcelLibs;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Host.Supervision;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Supervision;

/// <summary>
/// The supervisor's SLA view over tasks seeded directly (open, due soon, overdue, escalated, completed on time and late,
/// across two cities): exact figures per level, drill-down scoping, percentiles, the overdue list and its xlsx export.
/// </summary>
public sealed class SlaViewTests(SlaViewTests.Seeded seeded) : IClassFixture<SlaViewTests.Seeded>
{
    private const string Dagujiazi = "210124101", Sanmianchuan = "210124102", Kangping = "210123001", Dalian = "210202001";
    private const string Township = "TownshipReview", County = "CountyReview", Arable = "arable-land-protection";
    private static readonly CurrentUser CitySupervisor = new("u-city", "supervisor", "刘监管", Roles.Supervisor, "210100", null);
    private static readonly CurrentUser KangpingSupervisor = new("u-kp", "kp", "康平监管", Roles.Supervisor, "210123", null);
    private static readonly CurrentUser ProvinceAdmin = new("u-admin", "admin", "管理员", Roles.Administrator, "210000", null);

    /// <summary>One host and one seeded database for every test of the class (the tests only read).</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public OneCardApp App { get; private set; } = null!;
        public Dictionary<string, Guid> Subjects { get; } = [];

        public async Task InitializeAsync()
        {
            App = await OneCardApp.StartAsync();
            var now = App.Clock.GetUtcNow();
            await App.AsSystemAsync(async sp =>
            {
                var db = sp.GetRequiredService<OneCardDbContext>();
                void Add(string name, string region, string step, CaseTaskStatus status, DateTimeOffset created, DateTimeOffset? due,
                    DateTimeOffset? completed = null, bool escalated = false, bool markedOverdue = false, string? policy = Arable)
                {
                    var instance = new WorkflowInstance
                    {
                        Id = Guid.CreateVersion7(), SubjectKind = SubjectKinds.Application, SubjectId = Guid.CreateVersion7(), Reference = "REF-" + name,
                        PolicyCode = policy, RegionCode = region, DefinitionId = "standard-subsidy", DefinitionVersion = 2, Step = step, StepEnteredAt = created,
                    };
                    Subjects[name] = instance.SubjectId;
                    db.WorkflowInstances.Add(instance);
                    db.Tasks.Add(new CaseTask
                    {
                        Id = Guid.CreateVersion7(), SubjectKind = instance.SubjectKind, SubjectId = instance.SubjectId, PolicyCode = policy,
                        InstanceId = instance.Id, RegionCode = region, Step = step, Role = step == Township ? Roles.TownshipClerk : Roles.CountyReviewer,
                        CreatedAt = created, DueAt = due, Status = status, CompletedAt = completed, OverdueAt = markedOverdue ? due : null,
                        EscalatedAt = escalated ? now.AddHours(-1) : null, EscalatedToRole = escalated ? Roles.Supervisor : null,
                        EscalatedToRegionCode = escalated ? "210100" : null,
                    });
                }
                var open = CaseTaskStatus.Open;
                var done = CaseTaskStatus.Completed;
                Add("A", Dagujiazi, Township, open, now.AddDays(-5), now.AddHours(-2), escalated: true);           // overdue, escalated
                Add("B", Dagujiazi, County, open, now.AddDays(-1), now.AddHours(3));                                // due soon
                Add("C", Sanmianchuan, Township, open, now.AddDays(-1), now.AddDays(10));                           // open
                Add("D", Kangping, Township, open, now.AddDays(-6), now.AddDays(-1), markedOverdue: true, policy: null); // overdue
                Add("E", Dalian, Township, open, now.AddDays(-3), now.AddHours(-5));                                // another city
                Add("F", Dagujiazi, Township, done, now.AddDays(-10), now.AddDays(-8), completed: now.AddDays(-9));  // 24 h, on time
                Add("G", Sanmianchuan, Township, done, now.AddDays(-10), now.AddDays(-7), completed: now.AddDays(-5)); // 120 h, late
                Add("H", Dagujiazi, Township, done, now.AddDays(-4), now.AddDays(-1), completed: now.AddDays(-2));   // 48 h, on time
                Add("I", Dagujiazi, County, done, now.AddHours(-20), now.AddDays(2), completed: now.AddHours(-10));  // 10 h, on time
                Add("J", Dagujiazi, Township, done, now.AddDays(-45), now.AddDays(-43), completed: now.AddDays(-40)); // before the period
                Add("K", Dagujiazi, Township, CaseTaskStatus.Cancelled, now.AddDays(-3), now.AddDays(-1));           // cancelled
                await db.SaveChangesAsync();
                return true;
            });
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }

    private Task<SlaOverview.Overview> OverviewAsync(CurrentUser user, SlaFilter filter) =>
        seeded.App.AsUserAsync(user, sp => sp.GetRequiredService<SlaOverview.Handler>().GetAsync(filter, default));

    [Fact]
    public async Task CitySupervisor_SeesExactFiguresByCounty_AndNothingOfAnotherCity()
    {
        var view = await OverviewAsync(CitySupervisor, new SlaFilter());

        Assert.Equal("210100", view.RegionCode);
        Assert.Equal(new SlaOverview.Figures(Open: 4, DueSoon: 1, Overdue: 2, Escalated: 1, Completed: 4, OnTime: 3), view.Total);
        Assert.Equal(0.75, view.Total.OnTimeRate);
        var faku = view.Regions.Single(r => r.Code == "210124");
        Assert.Equal("法库县", faku.Name);
        Assert.True(faku.CanDrillDown);
        Assert.Equal(new SlaOverview.Figures(3, 1, 1, 1, 4, 3), faku.Figures);
        Assert.Equal(new SlaOverview.Figures(1, 0, 1, 0, 0, 0), view.Regions.Single(r => r.Code == "210123").Figures);
        // Every county of 沈阳市 is listed, none of 大连市.
        Assert.Contains(view.Regions, r => r.Code == "210102" && r.Figures == SlaOverview.Figures.None);
        Assert.DoesNotContain(view.Regions, r => r.Code.StartsWith("2102", StringComparison.Ordinal));
        Assert.Equal("210124", view.Regions[0].Code); // the most overdue first, then the most open
    }

    [Fact]
    public async Task Steps_HaveMedianAndNinetiethPercentile_OfCompletedTasksInThePeriod()
    {
        var view = await OverviewAsync(CitySupervisor, new SlaFilter());

        var township = view.Steps.Single(s => s.Step == Township);
        Assert.Equal("乡镇审核", township.Title);
        // 24 h, 48 h, 120 h (J before the period, K cancelled): median 48, P90 48 + 0.8 × 72 = 105.6 (percentile_cont).
        Assert.Equal(48, township.MedianHours);
        Assert.Equal(105.6, township.P90Hours);
        Assert.Equal((3, 2, 3, 2, 1), (township.Figures.Completed, township.Figures.OnTime, township.Figures.Open, township.Figures.Overdue, township.Figures.Escalated));
        var county = view.Steps.Single(s => s.Step == County);
        Assert.Equal((10.0, 10.0), (county.MedianHours!.Value, county.P90Hours!.Value));
        Assert.Equal((1, 1, 1, 1), (county.Figures.Completed, county.Figures.OnTime, county.Figures.Open, county.Figures.DueSoon));

        var policies = view.Policies.ToDictionary(p => p.PolicyCode ?? "");
        Assert.Equal(3, policies[Arable].Figures.Open);
        Assert.Equal(1, policies[""].Figures.Open);
    }

    [Fact]
    public async Task DrillDown_ToCountyThenTownship_ScopesFiguresToTheChosenRegion()
    {
        var county = await OverviewAsync(CitySupervisor, new SlaFilter(Region: "210124"));
        Assert.Equal(["沈阳市", "法库县"], county.Path.Select(p => p.Name));
        Assert.Equal(new SlaOverview.Figures(2, 1, 1, 1, 3, 3), county.Regions.Single(r => r.Code == Dagujiazi).Figures);
        Assert.Equal(new SlaOverview.Figures(1, 0, 0, 0, 1, 0), county.Regions.Single(r => r.Code == Sanmianchuan).Figures);
        Assert.Equal(0.0, county.Regions.Single(r => r.Code == Sanmianchuan).Figures.OnTimeRate);

        var township = await OverviewAsync(CitySupervisor, new SlaFilter(Region: Dagujiazi));
        Assert.Equal(new SlaOverview.Figures(2, 1, 1, 1, 3, 3), township.Total);
        Assert.Equal(["沈阳市", "法库县", "大孤家子镇"], township.Path.Select(p => p.Name));

        var filtered = await OverviewAsync(CitySupervisor, new SlaFilter(Region: "210124", Step: County));
        Assert.Equal(new SlaOverview.Figures(1, 1, 0, 0, 1, 1), filtered.Total);
    }

    [Fact]
    public async Task CountySupervisor_CannotLookIntoAnotherCountyOrCity_AndSeesOnlyTheirOwn()
    {
        var own = await OverviewAsync(KangpingSupervisor, new SlaFilter());
        Assert.Equal(new SlaOverview.Figures(1, 0, 1, 0, 0, 0), own.Total);

        foreach (var region in new[] { "210124", "210100", "210200", Dalian })
        {
            var refused = await Assert.ThrowsAsync<OneCardException>(() => OverviewAsync(KangpingSupervisor, new SlaFilter(Region: region)));
            Assert.Equal(ErrorKind.Forbidden, refused.Kind);
        }

        var province = await OverviewAsync(ProvinceAdmin, new SlaFilter());
        Assert.Equal(new SlaOverview.Figures(1, 0, 1, 0, 0, 0), province.Regions.Single(r => r.Code == "210200").Figures);
        Assert.Equal(5, province.Total.Open);
    }

    [Fact]
    public async Task Api_RefusesOtherRoles_AndAnswersTheSupervisor()
    {
        var clerk = await seeded.App.SignInAsync("clerk");
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync("/api/supervision/sla")).StatusCode);
        var supervisor = await seeded.App.SignInAsync("supervisor");
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/supervision/sla?region=210200")).StatusCode);
        var body = await supervisor.GetFromJsonAsync<JsonElement>("/api/supervision/sla?region=210124");
        Assert.Equal(2, body.GetProperty("total").GetProperty("overdue").GetInt32() + body.GetProperty("total").GetProperty("dueSoon").GetInt32());
    }

    [Fact]
    public async Task OverdueList_IsPagedMostOverdueFirst_WithLinksToTheCases()
    {
        var supervisor = await seeded.App.SignInAsync("supervisor");
        var page = await supervisor.GetFromJsonAsync<JsonElement>("/api/supervision/overdue?pageSize=1&page=1");
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        var first = page.GetProperty("items").EnumerateArray().Single();
        Assert.Equal("REF-D", first.GetProperty("reference").GetString());
        Assert.Equal($"applications/{seeded.Subjects["D"]}", first.GetProperty("link").GetString());
        Assert.Equal(24, first.GetProperty("overdueHours").GetDouble());
        var second = (await supervisor.GetFromJsonAsync<JsonElement>("/api/supervision/overdue?pageSize=1&page=2")).GetProperty("items")[0];
        Assert.Equal("REF-A", second.GetProperty("reference").GetString());
        Assert.NotEqual(JsonValueKind.Null, second.GetProperty("escalatedAt").ValueKind);
    }

    [Fact]
    public async Task OverdueExport_IsAnXlsxMiniExcelReads_WithChineseHeadersAndTheOverdueRows()
    {
        var supervisor = await seeded.App.SignInAsync("supervisor");
        var response = await supervisor.GetAsync("/api/supervision/overdue.xlsx?region=210124");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());

        var rows = file.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();

        var row = Assert.Single(rows);
        Assert.Equal("REF-A", row["案件编号"]);
        Assert.Equal("乡镇审核", row["环节"]);
        Assert.Equal("沈阳市 法库县 大孤家子镇", row["地区"]);
        Assert.Equal("是", row["已升级"]);
        Assert.Equal(2.0, Convert.ToDouble(row["超期小时数"]));
        Assert.EndsWith($"applications/{seeded.Subjects["A"]}", (string)row["案件链接"]);
    }
}
