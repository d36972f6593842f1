using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>Households on PostgreSQL.</summary>
public sealed class HouseholdPostgresTests() : HouseholdTests(sqlite: false);

/// <summary>Households on embedded SQLite: the same behaviour.</summary>
public sealed class HouseholdSqliteTests() : HouseholdTests(sqlite: true);

/// <summary>
/// Issue 9 (households): the household import (located errors, all or nothing, replace per household, scope), the registry facts
/// a rule set declares (RegistryFacts.FillAsync: values, located errors, one query per chunk), and a check's result as a fact
/// (a deceased head's line re-evaluated ineligible, totals moved, the hit settled by the rule, the gate open). The clock is set
/// to 2027-01-04 so that minimum-living-allowance v3 (in force from 2027-01-01) is the version cases start under; the rules
/// folder is the shipped one with one fixture standard (法库县 农村 2026 年度 800 元) so that lines are decided, not faulted.
/// </summary>
public abstract class HouseholdTests(bool sqlite) : IAsyncLifetime
{
    private const string Township = "210124101";
    private const string OtherTownship = "210124102";
    private readonly string folder = Directory.CreateTempSubdirectory("onecard-households-").FullName;
    private OneCardApp app = null!;

    private static readonly string HeadA = Claims.Id("21012419700101101");
    private static readonly string SpouseA = Claims.Id("21012419720202102");
    private static readonly string ChildA = Claims.Id("21012420150303103");
    private static readonly string HeadB = Claims.Id("21012419500404104");

    public async Task InitializeAsync()
    {
        var rules = Directory.CreateDirectory(Path.Combine(folder, "rules")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "rules"), "*.json"))
            File.Copy(file, Path.Combine(rules, Path.GetFileName(file)));
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(rules, "minimum-living-allowance.v3.json")))!.AsObject();
        v3["tables"]!["standards.byCountyAreaYear"]!["210124|农村|2026"] = 800;
        File.WriteAllText(Path.Combine(rules, "minimum-living-allowance.v3.json"), v3.ToJsonString());
        var settings = new Dictionary<string, string?> { ["Rules:Directory"] = rules };
        if (sqlite)
        {
            settings["Database:Provider"] = "Sqlite";
            settings["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "onecard.db")}";
            settings["Jobs:SqlitePath"] = Path.Combine(folder, "onecard-jobs.db");
        }
        app = await OneCardApp.StartAsync(start: new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.FromHours(8)), settings: settings);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static byte[] Csv(params string[] rows) =>
        Encoding.UTF8.GetBytes(string.Join("\r\n", ["户号,姓名,身份证号,与户主关系,所属区划", .. rows]) + "\r\n");

    private async Task<HttpResponseMessage> ImportAsync(byte[] file, string township = Township, string user = "clerk.civil")
    {
        var client = await app.SignInAsync(user);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "households.csv" },
            { new StringContent(township), "township" },
        };
        return await client.PostAsync("/api/registry/households", form);
    }

    private Task<int> CountAsync() => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Households.CountAsync());

    [Fact]
    public async Task Import_StoresEachHouseholdWithItsHead_AndReplacesAListedHouseholdWhole()
    {
        var first = await ImportAsync(Csv(
            $"H001,张大,{HeadA},户主,{Township}001", $"H001,李二,{SpouseA},配偶,{Township}001", $"H001,张小,{ChildA},子女,{Township}001",
            $"H002,王老,{HeadB},户主,"));
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((2, 4, 0, 4), (body.GetProperty("households").GetInt32(), body.GetProperty("members").GetInt32(),
            body.GetProperty("replaced").GetInt32(), body.GetProperty("newPeople").GetInt32()));

        // H001 stated again without the child, who moves to H002: both households replaced whole.
        var second = await ImportAsync(Csv($"H001,张大,{HeadA},户主,{Township}001", $"H001,李二,{SpouseA},配偶,{Township}001",
            $"H002,王老,{HeadB},户主,", $"H002,张小,{ChildA},孙子女,"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var clerk = await app.SignInAsync("clerk.civil");
        var list = await clerk.GetFromJsonAsync<JsonElement>($"/api/registry/households?township={Township}");
        Assert.Equal(["H001:2", "H002:2"], list.GetProperty("items").EnumerateArray()
            .Select(h => $"{h.GetProperty("number").GetString()}:{h.GetProperty("memberCount").GetInt32()}"));
        var h002 = list.GetProperty("items")[1];
        Assert.Equal(Masking.IdNumber(HeadB), h002.GetProperty("headIdNumberMasked").GetString());
        Assert.Equal(Masking.Name("王老"), h002.GetProperty("headNameMasked").GetString());
        var detail = await clerk.GetFromJsonAsync<JsonElement>($"/api/registry/households/{h002.GetProperty("id").GetGuid()}");
        Assert.Equal(["户主", "孙子女"], detail.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("relationZh").GetString()));
        Assert.DoesNotContain(ChildA, detail.GetRawText());

        var (people, audits) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var area = await db.Beneficiaries.Select(b => b.IdAreaCode).Distinct().ToListAsync();
            var data = await db.AuditLog.Where(a => a.Action == Households.ImportedCode).Select(a => a.DataJson).ToListAsync();
            return (area, data);
        });
        Assert.Equal(["210124"], people);
        Assert.Equal(2, audits.Count);
        Assert.All(audits, a => Assert.DoesNotContain("张", a));
        Assert.All(audits, a => Assert.DoesNotContain(HeadA, a));
    }

    [Fact]
    public async Task Import_RefusesTheWholeFile_LocatingEveryError_AndStoresNothing()
    {
        await ImportAsync(Csv($"H009,赵九,{HeadB},户主,"));
        var refused = await ImportAsync(Csv(
            $"H001,张大,{HeadA},户主,",
            $"H001,李二,{SpouseA},户主,",
            "H003,钱三,210124197001011230,户主,",
            $"H004,孙四,{ChildA},子女,",
            $"H005,张大,{HeadA},户主,",
            $"H006,王老,{HeadB},户主,",
            $"H007,周七,{Claims.Id("21012419800101107")},表亲,"));
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains((3, "与户主关系", "HouseholdWithTwoHeads"), errors);
        Assert.Contains((4, "身份证号", "IdChecksum"), errors);
        Assert.Contains((5, "与户主关系", "HouseholdWithoutHead"), errors);
        Assert.Contains((6, "身份证号", "DuplicatePersonInFile"), errors);
        Assert.Contains((7, "身份证号", "PersonInOtherHousehold"), errors);
        Assert.Contains((8, "与户主关系", "HouseholdRelationInvalid"), errors);
        var other = problem.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("code").GetString() == "PersonInOtherHousehold");
        Assert.Contains("户号 H009", other.GetProperty("message").GetString());
        Assert.Equal(1, await CountAsync());
    }

    [Fact]
    public async Task Import_IsScopedToTheClerksTownship_AndTheCountysTownshipsForItsReviewer()
    {
        var outside = await ImportAsync(Csv($"H001,张大,{HeadA},户主,"), township: OtherTownship);
        var problem = await outside.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.Forbidden, "HouseholdTownshipOutsideScope"), (outside.StatusCode, problem.GetProperty("code").GetString()));

        var county = await ImportAsync(Csv($"H001,张大,{HeadA},户主,"), township: OtherTownship, user: "reviewer.civil");
        Assert.Equal(HttpStatusCode.OK, county.StatusCode);
        // 户号 is unique per county: the clerk of the other township cannot take H001.
        var taken = await ImportAsync(Csv($"H001,王老,{HeadB},户主,"));
        var takenProblem = await taken.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("HouseholdNumberOfOtherTownship", takenProblem.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(1, await CountAsync());
    }

    private static object Line(string name, string id) => new
    {
        name, idNumber = id, regionCode = Township, bankAccount = Claims.Account, bankName = "邮储银行法库县支行",
        facts = new Dictionary<string, object> { ["IsRural"] = "是", ["PerCapitaMonthlyIncome"] = 0, ["AssetsWithinLimit"] = "是", ["RefusedWorkThreeTimes"] = "否" },
    };

    private async Task<HttpResponseMessage> SubmitAsync(params object[] lines) =>
        await (await app.SignInAsync("clerk.civil")).PostAsJsonAsync("/api/applications",
            new { policyCode = "minimum-living-allowance", period = "2027-01", lines });

    [Fact]
    public async Task Submission_TakesTheHouseholdSizeFromTheRegistry_AndRefusesAMembersLineWithItsReason()
    {
        await ImportAsync(Csv($"H001,张大,{HeadA},户主,", $"H001,李二,{SpouseA},配偶,", $"H001,张小,{ChildA},子女,"));

        var member = await SubmitAsync(Line("张大", HeadA), Line("李二", SpouseA), Line("路人", Claims.Id("21012419900101108")));
        var problem = await member.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, member.StatusCode);
        Assert.Equal(["2:身份证号:NotHouseholdHead", "3:身份证号:NotInHousehold"], problem.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("row").GetInt32()}:{e.GetProperty("field").GetString()}:{e.GetProperty("code").GetString()}"));
        Assert.Contains("第2条【身份证号】该人员不是已登记家庭的户主（户号 H001）", problem.GetProperty("detail").GetString());

        var head = await SubmitAsync(Line("张大", HeadA));
        var body = await head.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, head.StatusCode);
        Assert.Equal(("minimum-living-allowance@3", 2400m), (body.GetProperty("ruleSet").GetString(), body.GetProperty("payableAmount").GetDecimal()));
        var facts = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.Select(l => l.FactsJson).SingleAsync());
        var stored = JsonDocument.Parse(facts).RootElement;
        Assert.Equal((3, true, false), (stored.GetProperty("HouseholdSize").GetInt32(), stored.GetProperty("IsHead").GetBoolean(), stored.GetProperty("Deceased").GetBoolean()));
    }

    [Fact]
    public async Task RosterImport_AcceptingTheValidPart_RefusesAMembersRow_WithItsCellsAsRead_ThoughTheRegistryFoundItAfterTheRowWasRead()
    {
        await ImportAsync(Csv($"H001,张大,{HeadA},户主,", $"H001,李二,{SpouseA},配偶,", $"H001,张小,{ChildA},子女,"));
        var roster = string.Join("\r\n",
            "姓名,身份证号,地区代码,银行账号,开户银行,是否农村低保,家庭月人均收入（元）,家庭财产是否符合当地规定,是否连续3次无正当理由拒绝介绍的工作",
            $"李二,{SpouseA},{Township},{Claims.Account},邮储银行法库县支行,是,0,是,否",
            $"张大,{HeadA},{Township},{Claims.Account},邮储银行法库县支行,是,0,是,否") + "\r\n";
        var client = await app.SignInAsync("clerk.civil");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(roster)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "低保花名册.csv" },
            { new StringContent("minimum-living-allowance"), "policyCode" },
            { new StringContent("2027-01"), "period" },
            { new StringContent("AcceptValid"), "mode" },
        };
        var queued = await client.PostAsync("/api/roster-imports", form);
        var body = await queued.Content.ReadAsStringAsync();
        Assert.True(queued.StatusCode == HttpStatusCode.Accepted, $"{(int)queued.StatusCode}: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();

        await app.Services.GetRequiredService<Host.Applications.RosterImportJob>().RunAsync(id, CancellationToken.None);

        var refused = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImportRefusedRows.Where(r => r.ImportId == id).ToListAsync());
        var row = Assert.Single(refused);
        // The registry answers for the whole chunk after both rows were read: the refused row's cells are still its own.
        Assert.Equal(2, row.Row);
        Assert.Equal(["李二", SpouseA, Township, Claims.Account, "邮储银行法库县支行", "是", "0", "是", "否"], JsonSerializer.Deserialize<string[]>(row.CellsJson)!);
        Assert.Contains("不是已登记家庭的户主", row.ReasonsZh, StringComparison.Ordinal);
        var names = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.Select(l => l.Name).ToListAsync());
        Assert.Equal(["张大"], names);
    }

    [Fact]
    public async Task ADeceasedHeadsLine_IsMadeIneligibleByTheRule_TotalsMove_AndTheHitIsSettledSoTheGateIsOpen()
    {
        await ImportAsync(Csv($"H001,张大,{HeadA},户主,", $"H001,李二,{SpouseA},配偶,", $"H002,王老,{HeadB},户主,"));
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var id = Guid.CreateVersion7();
            db.ReferenceSnapshots.Add(new ReferenceSnapshot
            {
                Id = id, Kind = ReferenceKind.Deaths, RegionCode = "210000", PolicyCode = "", Source = "辽宁省民政厅", AsOf = new DateOnly(2026, 12, 31),
                FileName = "deaths.csv", FileSha256 = new string('0', 64), Encoding = "UTF-8", RowCount = 1, ImportedBy = "u-test", ImportedAt = app.Clock.GetUtcNow(),
            });
            db.ReferenceRecords.Add(new ReferenceRecord
            {
                SnapshotId = id, RowNo = 2, IdNumberHash = sp.GetRequiredService<PersonalDataProtector>().LookupHash(HeadB), EventDate = new DateOnly(2026, 12, 20),
            });
            return await db.SaveChangesAsync();
        });

        var response = await SubmitAsync(Line("张大", HeadA), Line("王老", HeadB));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var applicationId = body.GetProperty("id").GetGuid();

        var (application, lines, hits, pending, audits) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var a = await db.Applications.AsNoTracking().SingleAsync(x => x.Id == applicationId);
            var l = await db.ClaimLines.AsNoTracking().Where(x => x.ApplicationId == applicationId).OrderBy(x => x.LineNo).ToListAsync();
            var h = await db.CrossCheckHits.AsNoTracking().Where(x => x.ApplicationId == applicationId).ToListAsync();
            var p = await CrossCheckGate.PendingAsync(db, [applicationId], CancellationToken.None);
            var n = await db.AuditLog.CountAsync(x => x.Action == CrossCheckFacts.AppliedCode && x.EntityId == applicationId.ToString());
            return (a, l, h, p, n);
        });
        Assert.Equal((LineOutcome.Eligible, 1600m), (lines[0].Outcome, lines[0].Amount ?? 0m));
        Assert.Equal(LineOutcome.Ineligible, lines[1].Outcome);
        Assert.Null(lines[1].Amount);
        Assert.Equal("大数据比对发现申报人已死亡，不再享受低保（社会救助暂行办法第13条）", lines[1].ReasonZh);
        Assert.Contains("\"NotDeceased\"", lines[1].RuleResultsJson);
        // The check's result is written back to the line's stored facts (a later re-evaluation reads it true); the other line's stays false.
        Assert.True(JsonDocument.Parse(lines[1].FactsJson).RootElement.GetProperty("Deceased").GetBoolean());
        Assert.False(JsonDocument.Parse(lines[0].FactsJson).RootElement.GetProperty("Deceased").GetBoolean());
        Assert.Equal((1, 1600m), (application.EligibleCount, application.PayableAmount));
        var hit = Assert.Single(hits);
        Assert.Equal((CrossCheckKind.Deceased, 2, HitDecision.SettledByRule), (hit.Check, hit.LineNo, hit.Decision));
        Assert.Equal("已由规则判定", CrossCheckHits.DecisionZh(hit.Decision));
        Assert.Empty(pending);
        Assert.Equal(1, audits);

        // On demand: the hit is found again, but it is settled: nothing is re-evaluated twice.
        var rerun = await (await app.SignInAsync("clerk.civil.review")).PostAsync($"/api/applications/{applicationId}/crosschecks", null);
        Assert.Equal(HttpStatusCode.OK, rerun.StatusCode);
        Assert.Equal(1, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(x => x.Action == CrossCheckFacts.AppliedCode)));
    }

    [Fact]
    public async Task FillAsync_AddsTheDeclaredFacts_LocatesEachMissingPerson_InOneQueryPerChunk()
    {
        await ImportAsync(Csv($"H001,张大,{HeadA},户主,", $"H001,李二,{SpouseA},配偶,", $"H001,张小,{ChildA},子女,"));
        var ruleSet = app.Services.GetRequiredService<IRuleSets>().EffectiveOn("minimum-living-allowance", new DateOnly(2027, 1, 4))!;
        var withUnder16 = RuleSetLoader.Load(JsonNode.Parse(ruleSet.Json)!.AsObject().Also(root =>
            root["facts"]!.AsArray().Add(JsonNode.Parse("""{"name": "Children", "type": "int", "source": "household.membersUnder16"}"""))).ToJsonString(), "test");

        var (errors, facts, commands) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var protector = sp.GetRequiredService<PersonalDataProtector>();
            var asOf = new DateOnly(2027, 1, 4);
            var lines = new List<RegistryFacts.Subject> { new(2, protector.LookupHash(HeadA), new Dictionary<string, object?> { ["AsOf"] = asOf }) };
            for (var i = 0; i < 2 * RegistryFacts.ChunkSize; i++)
                lines.Add(new(3 + i, i.ToString("x64", CultureInfo.InvariantCulture) /* a blind index nobody has */, new Dictionary<string, object?> { ["AsOf"] = asOf }));
            var counter = new CommandCounter(db);
            using var subscription = DiagnosticListener.AllListeners.Subscribe(counter);
            var found = await RegistryFacts.FillAsync(db, withUnder16, lines, CancellationToken.None);
            return (found, lines[0].Facts, counter.Count);
        });
        Assert.Equal(3, commands); // 2001 hashes: three chunks of at most 1000
        Assert.Equal(2 * RegistryFacts.ChunkSize, errors.Count);
        Assert.Equal((3, "身份证号", "NotInHousehold"), (errors[0].Row, errors[0].Field, errors[0].Code));
        Assert.Equal((3, true, false, 1), ((int)facts["HouseholdSize"]!, (bool)facts["IsHead"]!, (bool)facts["Deceased"]!, (int)facts["Children"]!));
    }

    /// <summary>Counts the commands EF executes for one context (other tests' contexts run in parallel).</summary>
    private sealed class CommandCounter(DbContext context) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public int Count;
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) listener.Subscribe(this);
        }
        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key == RelationalEventId.CommandExecuting.Name && e.Value is CommandEventData data && ReferenceEquals(data.Context, context))
                Interlocked.Increment(ref Count);
        }
        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }
}

internal static class JsonNodeExtensions
{
    public static JsonObject Also(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
