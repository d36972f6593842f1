using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Persistence;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.RuleSets.RuleSetFixture;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 10 item 1, correcting lines (更正明细, <c>CorrectLines.cs</c>): in the steps standard-subsidy v5 allows (退回修改, 乡镇审核), a
/// township clerk edits a line's facts or replaces lines from a new file; validated like a roster, re-evaluated under the case's
/// pinned rule set, totals moved by the difference, recorded and audited with personal data masked; all or nothing.
/// </summary>
public sealed class CorrectLinesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<T> Db<T>(Func<OneCardDbContext, Task<T>> query) => app.AsSystemAsync(sp => query(sp.GetRequiredService<OneCardDbContext>()));

    /// <summary>A case of the five standard lines, returned to the clerk by the township reviewer.</summary>
    private async Task<Guid> ReturnedAsync()
    {
        var id = await driver.SubmitAsync();
        await driver.ActAsync(id, "clerk.review", "Return", "第2条耕地用途有误，请核实");
        Assert.Equal("Returned", await driver.StepAsync(id));
        return id;
    }

    private async Task<HttpResponseMessage> EditAsync(Guid id, int lineNo, object facts, string user = "clerk") =>
        await (await driver.As(user)).PutAsJsonAsync($"/api/applications/{id}/lines/{lineNo}/facts", new { facts });

    private async Task<HttpResponseMessage> ReplaceAsync(Guid id, string csv, string user = "clerk")
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "更正.csv" },
        };
        return await (await driver.As(user)).PostAsync($"/api/applications/{id}/lines/replace", form);
    }

    private static JsonElement Line(JsonElement detail, int lineNo) =>
        detail.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == lineNo);

    private static async Task<string?> Code(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task EditLine_InReturned_IsReevaluatedUnderThePinnedVersion_WhileANewerIsInForce_MovesTotals_AndIsRecordedAndAuditedMasked()
    {
        // v3 (100 元/亩 in 法库县) takes effect on 10 March; the case is submitted on 2 March under v2 (85.35 元/亩).
        await ApprovedV3Async(driver);
        await WaitForStoreAsync(app, $"{Arable}@3", Domain.Policies.RuleSetStatus.Approved);
        var id = await ReturnedAsync();
        app.Clock.SetUtcNow(Beijing(2026, 3, 10));
        var before = await driver.GetAsync(id);
        Assert.Equal(($"{Arable}@2", "Ineligible", 4, 3853.56m), (before.GetProperty("ruleSetKey").GetString(), Line(before, 2).GetProperty("outcome").GetString(),
            before.GetProperty("case").GetProperty("eligibleCount").GetInt32(), before.GetProperty("case").GetProperty("payableAmount").GetDecimal()));

        var response = await EditAsync(id, 2, new Dictionary<string, object> { ["是否改变用途"] = "否" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(($"{Arable}@2", 1, 3853.56m, 4109.61m), (result.GetProperty("ruleSet").GetString(), result.GetProperty("corrected").GetInt32(),
            result.GetProperty("payableBefore").GetDecimal(), result.GetProperty("payableAfter").GetDecimal()));

        // 3 亩 × 85.35 (v2, pinned) = 256.05, not 300.00 (v3, in force today).
        var after = await driver.GetAsync(id);
        var line = Line(after, 2);
        Assert.Equal(("Eligible", 256.05m, $"{Arable}@2", false), (line.GetProperty("outcome").GetString(), line.GetProperty("amount").GetDecimal(),
            line.GetProperty("ruleSetKey").GetString(), line.GetProperty("facts").GetProperty("LandConverted").GetBoolean()));
        Assert.Equal((5, 4109.61m, $"{Arable}@2"), (after.GetProperty("case").GetProperty("eligibleCount").GetInt32(),
            after.GetProperty("case").GetProperty("payableAmount").GetDecimal(), after.GetProperty("ruleSetKey").GetString()));

        // The reviewer who returned it sees what changed since.
        var overview = await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/corrections");
        var correction = Assert.Single(overview.GetProperty("corrections").EnumerateArray().ToList());
        var change = Assert.Single(correction.GetProperty("changes").EnumerateArray().ToList());
        Assert.Equal((2, "李*", "是否改变用途", "是", "否", "Ineligible", "Eligible", 256.05m, "王经办（大孤家子镇）"),
            (correction.GetProperty("lineNo").GetInt32(), correction.GetProperty("nameMasked").GetString(), change.GetProperty("label").GetString(),
             change.GetProperty("before").GetString(), change.GetProperty("after").GetString(), correction.GetProperty("outcomeBefore").GetString(),
             correction.GetProperty("outcomeAfter").GetString(), correction.GetProperty("amountAfter").GetDecimal(), correction.GetProperty("correctedByName").GetString()));
        // A county reviewer holds no township clerk role: may read the corrections, may not correct.
        Assert.False((await (await driver.As("reviewer")).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/corrections")).GetProperty("canCorrect").GetBoolean());
        Assert.True((await (await driver.As("clerk")).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/corrections")).GetProperty("canCorrect").GetBoolean());

        var entry = await Db(db => db.AuditLog.AsNoTracking().SingleAsync(a => a.Action == "ClaimLineCorrected"));
        using var data = JsonDocument.Parse(entry.DataJson);
        var root = data.RootElement;
        Assert.Equal(("李*", "21*************", $"{Arable}@2", "Ineligible", "Eligible", 256.05m),
            (root.GetProperty("name").GetString(), root.GetProperty("idNumber").GetString()![..15], root.GetProperty("ruleSet").GetString(),
             root.GetProperty("before").GetProperty("outcome").GetString(), root.GetProperty("after").GetProperty("outcome").GetString(),
             root.GetProperty("after").GetProperty("amount").GetDecimal()));
        Assert.DoesNotContain("李四", entry.DataJson, StringComparison.Ordinal);
        Assert.DoesNotContain(CaseDriver.Id("21012419750505123"), entry.DataJson, StringComparison.Ordinal);

        // Resubmitted, the case goes back to the township review; the clerk who corrected may not review it (separation of duties).
        await driver.ActAsync(id, "clerk", "Resubmit");
        Assert.Equal("TownshipReview", await driver.StepAsync(id));
        await driver.ActAsync(id, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task Correction_OutsideTheStepsTheDefinitionAllows_IsRefused_AndChangesNothing()
    {
        var id = await driver.DriveToAsync("CountyReview");
        var response = await EditAsync(id, 2, new Dictionary<string, object> { ["LandConverted"] = "否" }, user: "clerk.review");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CorrectionNotAllowed", problem.GetProperty("code").GetString());
        Assert.Contains("县级主管部门审核", problem.GetProperty("title").GetString());
        Assert.Equal("Ineligible", Line(await driver.GetAsync(id), 2).GetProperty("outcome").GetString());
        Assert.Equal(0, await Db(db => db.LineCorrections.CountAsync()));
    }

    [Fact]
    public async Task Correction_ByTheWrongRoleRegionOrPerson_IsRefused()
    {
        var id = await ReturnedAsync();
        // A county reviewer holds no township clerk role.
        Assert.Equal(HttpStatusCode.Forbidden, (await EditAsync(id, 2, new Dictionary<string, object> { ["LandConverted"] = "否" }, user: "reviewer")).StatusCode);
        // Another township's clerk does not see the case.
        Assert.Equal(HttpStatusCode.NotFound, (await EditAsync(id, 2, new Dictionary<string, object> { ["LandConverted"] = "否" }, user: "clerk2")).StatusCode);

        // In the township review, the clerk who submitted may not correct (separateFrom Submit), the reviewing clerk may.
        await driver.ActAsync(id, "clerk", "Resubmit");
        var own = await EditAsync(id, 2, new Dictionary<string, object> { ["LandConverted"] = "否" });
        Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
        Assert.Equal("SeparationOfDuties", await Code(own));
        Assert.Equal(0, await Db(db => db.LineCorrections.CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await EditAsync(id, 2, new Dictionary<string, object> { ["LandConverted"] = "否" }, user: "clerk.review")).StatusCode);
    }

    [Fact]
    public async Task InvalidValue_IsRefusedLocated_AndChangesNothing()
    {
        var id = await ReturnedAsync();
        var auditBefore = await Db(db => db.AuditLog.CountAsync());
        var response = await EditAsync(id, 3, new Dictionary<string, object> { ["AreaMu"] = "八亩", ["Unknown"] = "1" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CorrectionInvalid", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("row").GetInt32() == 3 && e.GetProperty("field").GetString() == "承包面积（亩）");
        Assert.Contains(errors, e => e.GetProperty("code").GetString() == "FactNotDeclared");
        Assert.Contains("第3条【承包面积（亩）】", problem.GetProperty("detail").GetString());

        var line = Line(await driver.GetAsync(id), 3);
        Assert.Equal(("Eligible", 8.25m), (line.GetProperty("outcome").GetString(), line.GetProperty("facts").GetProperty("AreaMu").GetDecimal()));
        Assert.Equal((0, auditBefore), (await Db(db => db.LineCorrections.CountAsync()), await Db(db => db.AuditLog.CountAsync())));
    }

    [Fact]
    public async Task ReplaceFromFile_MatchesLinesByIdNumber_LeavesUnnamedLines_AndRefusesAnUnknownIdNumberWhole()
    {
        var id = await ReturnedAsync();
        var li = CaseDriver.Id("21012419750505123");
        var wang = CaseDriver.Id("21012419660303456");
        // A row whose ID number is no line of the case refuses the file whole: nothing changes.
        var stranger = CaseDriver.Id("21012419900909111");
        var refused = await ReplaceAsync(id, $"{CaseDriver.RosterHeader}\n李四,{li},210124101,{Claims.Account},邮储银行,3,否\n孙七,{stranger},210124101,{Claims.Account},邮储银行,5,否\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = Assert.Single((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal((3, "身份证号", "LineNotInApplication"), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal("Ineligible", Line(await driver.GetAsync(id), 2).GetProperty("outcome").GetString());

        // 李四 no longer converted, 王五 10 亩 instead of 8.25; 张三, 欧阳秀英 and 赵六 are not in the file and stay.
        var response = await ReplaceAsync(id, $"{CaseDriver.RosterHeader}\n李四,{li},210124101,{Claims.Account},邮储银行,3,否\n王五,{wang},210124101,{Claims.Account},邮储银行,10,否\n");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        // 3 × 85.35 = 256.05 added; 王五 704.14 → 853.50.
        Assert.Equal((2, 3853.56m, 3853.56m + 256.05m - 704.14m + 853.50m), (result.GetProperty("corrected").GetInt32(),
            result.GetProperty("payableBefore").GetDecimal(), result.GetProperty("payableAfter").GetDecimal()));
        var detail = await driver.GetAsync(id);
        Assert.Equal((256.05m, 853.50m, 1066.88m), (Line(detail, 2).GetProperty("amount").GetDecimal(), Line(detail, 3).GetProperty("amount").GetDecimal(),
            Line(detail, 1).GetProperty("amount").GetDecimal()));
        var rows = await Db(db => db.LineCorrections.AsNoTracking().OrderBy(c => c.LineNo).ToListAsync());
        Assert.Equal([(2, LineCorrectionSource.File), (3, LineCorrectionSource.File)], rows.Select(r => (r.LineNo, r.Source)));
        Assert.Equal(2, await Db(db => db.AuditLog.CountAsync(a => a.Action == "ClaimLineCorrected")));
    }
}
