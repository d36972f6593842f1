using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>Reference snapshots on PostgreSQL (binary COPY).</summary>
public sealed class SnapshotImportPostgresTests : SnapshotImportTests
{
    protected override IReadOnlyDictionary<string, string?>? Settings(string folder) => null;
}

/// <summary>Reference snapshots on embedded SQLite (EF batches): the same behaviour.</summary>
public sealed class SnapshotImportSqliteTests : SnapshotImportTests
{
    protected override IReadOnlyDictionary<string, string?>? Settings(string folder) => new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "onecard.db")}",
        ["Jobs:SqlitePath"] = Path.Combine(folder, "onecard-jobs.db"),
    };
}

/// <summary>
/// Importing other departments' data (issue 9 item 2): every kind stored keyed by the blind index, a GBK file read intact,
/// every refusal located and nothing written, replacement leaves exactly one current snapshot, the same file twice writes
/// nothing, records refuse UPDATE, and nothing personal is stored in clear.
/// </summary>
public abstract class SnapshotImportTests : IAsyncLifetime
{
    static SnapshotImportTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly string folder = Directory.CreateTempSubdirectory("onecard-snapshots-").FullName;
    protected OneCardApp App { get; private set; } = null!;
    private HttpClient admin = null!;

    protected abstract IReadOnlyDictionary<string, string?>? Settings(string folder);

    public async Task InitializeAsync()
    {
        App = await OneCardApp.StartAsync(settings: Settings(folder));
        admin = await App.SignInAsync("admin");
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    internal static readonly string Alive1 = Claims.Id("21012419800101123");
    internal static readonly string Alive2 = Claims.Id("21012419750505123");
    internal static readonly string Dead1 = Claims.Id("21012419660303456");
    private const string Account = "6217991234567890123";

    private static byte[] Utf8(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");
    private static byte[] Gbk(params string[] lines) => Encoding.GetEncoding("GB18030").GetBytes(string.Join("\r\n", lines) + "\r\n");

    private async Task<HttpResponseMessage> PostAsync(ReferenceKind kind, byte[] file, string fileName = "data.csv", string region = "210124",
        string? policy = null, string asOf = "2026-02-28", string source = "辽宁省公安厅", HttpClient? client = null)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", fileName },
            { new StringContent(kind.ToString()), "kind" },
            { new StringContent(region), "regionCode" },
            { new StringContent(source), "source" },
            { new StringContent(asOf), "asOf" },
        };
        if (policy is not null) form.Add(new StringContent(policy), "policyCode");
        return await (client ?? admin).PostAsync("/api/registry/snapshots", form);
    }

    private async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private Task<List<ReferenceRecord>> RecordsAsync(Guid snapshot) => App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().ReferenceRecords.AsNoTracking().Where(r => r.SnapshotId == snapshot).OrderBy(r => r.RowNo).ToListAsync());

    private Task<string> HashAsync(string value) => App.AsSystemAsync(sp => Task.FromResult(sp.GetRequiredService<PersonalDataProtector>().LookupHash(value)));

    private Task<(int Snapshots, int Records, long Audit)> CountsAsync() => App.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        return (await db.ReferenceSnapshots.CountAsync(), await db.ReferenceRecords.CountAsync(), await db.AuditLog.LongCountAsync());
    });

    [Fact]
    public async Task Import_StoresHouseholdRegistry_KeyedByTheBeneficiaryBlindIndex()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, Utf8(
            "身份证号,姓名,户籍地区代码,户籍状态",
            $"{Alive1},张三,210124101,正常",
            $" {Alive2} ,李四,210124102,",
            $"{Dead1},王五,210124,注销")));
        Assert.Equal(3, snapshot.GetProperty("rowCount").GetInt32());
        Assert.True(snapshot.GetProperty("current").GetBoolean());
        Assert.Equal("UTF-8", snapshot.GetProperty("encoding").GetString());
        var records = await RecordsAsync(snapshot.GetProperty("id").GetGuid());
        Assert.Equal([2, 3, 4], records.Select(r => r.RowNo));
        Assert.Equal(await HashAsync(Alive1), records[0].IdNumberHash);
        Assert.Equal(await HashAsync(Alive2), records[1].IdNumberHash);
        Assert.Equal(["210124101", "210124102", "210124"], records.Select(r => r.RegionCode));
        Assert.Equal([true, null, false], records.Select(r => r.Alive));
        // The audit entry names what was imported and what it replaced.
        var entry = await App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking()
            .SingleAsync(e => e.Action == ReferenceSnapshots.ImportedCode));
        Assert.Contains("\"rows\":3", entry.DataJson);
        Assert.Contains("HouseholdRegistry", entry.DataJson);
        Assert.Contains("\"replaced\":null", entry.DataJson);
    }

    [Fact]
    public async Task Import_StoresDeaths_WithDateAndCremationDetail()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.Deaths, Utf8(
            "身份证号,姓名,死亡日期,火化地点,备注",
            $"{Dead1},王五,2025/12/3,法库县殡仪馆,",
            $"{Alive1},张三,20260101,,户籍注销"), source: "法库县民政局"));
        var records = await RecordsAsync(snapshot.GetProperty("id").GetGuid());
        Assert.Equal([new DateOnly(2025, 12, 3), new DateOnly(2026, 1, 1)], records.Select(r => r.EventDate!.Value));
        Assert.Equal(["法库县殡仪馆", "户籍注销"], records.Select(r => r.Detail));
    }

    [Fact]
    public async Task Import_StoresStateFunded_WithEmployerAndPeriodEmployed()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.StateFunded, Utf8(
            "身份证号,单位名称,入职日期,离职日期,单位所在地区代码",
            $"{Alive1},法库县农业农村局,2010-09-01,,210124",
            $"{Alive2},大孤家子镇人民政府,2001-07-01,2025-06-30,210124101"), source: "法库县财政局"));
        var records = await RecordsAsync(snapshot.GetProperty("id").GetGuid());
        Assert.Equal(["法库县农业农村局", "大孤家子镇人民政府"], records.Select(r => r.Detail));
        Assert.Equal([new DateOnly(2010, 9, 1), new DateOnly(2001, 7, 1)], records.Select(r => r.EventDate!.Value));
        Assert.Equal([null, new DateOnly(2025, 6, 30)], records.Select(r => r.EndDate));
        Assert.Equal(["210124", "210124101"], records.Select(r => r.RegionCode));
    }

    [Fact]
    public async Task Import_StoresPolicyRecipients_UnderTheirPolicy()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.PolicyRecipients, Utf8(
            "身份证号,期次,地区代码",
            $"{Alive1},2026,210124102"), policy: "extreme-poverty-support", source: "法库县民政局"));
        Assert.Equal("extreme-poverty-support", snapshot.GetProperty("policyCode").GetString());
        var record = Assert.Single(await RecordsAsync(snapshot.GetProperty("id").GetGuid()));
        Assert.Equal(("extreme-poverty-support", "2026", "210124102"), (record.PolicyCode, record.Period, record.RegionCode));

        // Without a policy the kind is refused, naming the field.
        var refused = await PostAsync(ReferenceKind.PolicyRecipients, Utf8("身份证号,期次", $"{Alive1},2026"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("policyCode", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Import_StoresAccountHolders_AsTheAccountsBlindIndex()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.AccountHolders, Utf8(
            "身份证号,姓名,账号",
            $"{Alive1},张三,{Account[..4]} {Account[4..]}"), source: "辽宁农信"));
        var record = Assert.Single(await RecordsAsync(snapshot.GetProperty("id").GetGuid()));
        Assert.Equal(await HashAsync(Account), record.AccountHash);
        Assert.Equal(await HashAsync(Alive1), record.IdNumberHash);
    }

    [Fact]
    public async Task Import_ReadsGbkCsvFromExcel_WithChineseHeadersAndDetailIntact()
    {
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.Deaths, Gbk(
            "身份证号,姓名,死亡日期,火化地点",
            $"{Dead1},欧阳秀英,2026-01-15,沈阳市回龙岗殡仪馆")));
        Assert.Equal("GB18030", snapshot.GetProperty("encoding").GetString());
        var record = Assert.Single(await RecordsAsync(snapshot.GetProperty("id").GetGuid()));
        Assert.Equal("沈阳市回龙岗殡仪馆", record.Detail);
    }

    [Fact]
    public async Task Import_ReadsAnXlsxWorkbook()
    {
        using var workbook = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(workbook, new[]
        {
            new Dictionary<string, object> { ["身份证号"] = Alive1, ["姓名"] = "张三", ["户籍地区代码"] = "210124101", ["户籍状态"] = "死亡" },
        });
        var snapshot = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, workbook.ToArray(), "registry.xlsx"));
        Assert.Equal("xlsx", snapshot.GetProperty("encoding").GetString());
        var record = Assert.Single(await RecordsAsync(snapshot.GetProperty("id").GetGuid()));
        Assert.Equal((await HashAsync(Alive1), false, 2), (record.IdNumberHash, record.Alive!.Value, record.RowNo));
    }

    public static TheoryData<ReferenceKind, string, string, int, string, string> BadFiles => new()
    {
        // kind, header, bad row (as row 3, after a good row 2), expected row, column, code
        { ReferenceKind.HouseholdRegistry, "身份证号,户籍地区代码", "210124198001011231,210124101", 3, "身份证号", "IdChecksum" },
        { ReferenceKind.HouseholdRegistry, "身份证号,户籍地区代码", $"{Alive2},210199999", 3, "户籍地区代码", "RegionUnknown" },
        { ReferenceKind.HouseholdRegistry, "身份证号,户籍地区代码", $"{Alive2},210123", 3, "户籍地区代码", "RegionOutsideSnapshot" },
        { ReferenceKind.HouseholdRegistry, "身份证号,户籍地区代码,户籍状态", $"{Alive2},210124101,失踪", 3, "户籍状态", "HouseholdStatusInvalid" },
        { ReferenceKind.Deaths, "身份证号,死亡日期", $"{Alive2},2026-02-30", 3, "死亡日期", "DateInvalid" },
        { ReferenceKind.Deaths, "身份证号,死亡日期", $"{Alive2},", 3, "死亡日期", "DateMissing" },
        { ReferenceKind.StateFunded, "身份证号,单位名称,入职日期,离职日期", $"{Alive2},某局,2020-01-01,2019-01-01", 3, "离职日期", "LeftBeforeHired" },
        { ReferenceKind.AccountHolders, "身份证号,账号", $"{Alive2},62179912345A", 3, "账号", "BankAccountCharset" },
        // A header without a required column is refused once, at row 1.
        { ReferenceKind.HouseholdRegistry, "身份证号,姓名", "", 1, "户籍地区代码", "SnapshotColumnMissing" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Import_RefusesTheWholeFile_LocatingRowColumnAndReason(ReferenceKind kind, string header, string badRow, int row, string column, string code)
    {
        var good = kind switch
        {
            ReferenceKind.HouseholdRegistry => header.Contains("户籍地区代码") ? $"{Alive1},210124101" + (header.Contains("户籍状态") ? ",正常" : "") : $"{Alive1},张三",
            ReferenceKind.Deaths => $"{Alive1},2026-01-01",
            ReferenceKind.StateFunded => $"{Alive1},某局,2020-01-01,",
            _ => $"{Alive1},{Account}",
        };
        var before = await CountsAsync();
        var response = await PostAsync(kind, Utf8([header, good, .. badRow.Length > 0 ? new[] { badRow } : []]));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        var problem = JsonDocument.Parse(body).RootElement;
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal((row, column, code), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", error.GetProperty("message").GetString());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Import_RefusesEveryBadRow_ListingThemAll()
    {
        var response = await PostAsync(ReferenceKind.HouseholdRegistry, Utf8(
            "身份证号,户籍地区代码", "123,210124101", $"{Alive1},", $"{Alive2},210124101", "210124198001011231,999"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(2, "身份证号"), (3, "户籍地区代码"), (5, "身份证号"), (5, "户籍地区代码")], errors);
        Assert.Equal(0, (await CountsAsync()).Snapshots);
    }

    [Fact]
    public async Task Import_ReplacesTheCurrentSnapshot_LeavingExactlyOneCurrent()
    {
        var first = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, Utf8("身份证号,户籍地区代码", $"{Alive1},210124101"), asOf: "2026-01-31"));
        // Another key (another region) is not touched by the replacement.
        var other = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, Utf8("身份证号,户籍地区代码", $"{Alive1},210123"), region: "210123"));
        App.Clock.Advance(TimeSpan.FromHours(1));
        var second = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry,
            Utf8("身份证号,户籍地区代码", $"{Alive1},210124101", $"{Alive2},210124102"), asOf: "2026-02-28"));

        var firstNow = await admin.GetFromJsonAsync<JsonElement>($"/api/registry/snapshots/{first.GetProperty("id").GetGuid()}");
        Assert.False(firstNow.GetProperty("current").GetBoolean());
        Assert.Equal(second.GetProperty("id").GetGuid(), firstNow.GetProperty("replacedBy").GetGuid());
        var current = await admin.GetFromJsonAsync<JsonElement>("/api/registry/snapshots?kind=HouseholdRegistry&region=210124&current=true");
        var only = Assert.Single(current.GetProperty("items").EnumerateArray());
        Assert.Equal(second.GetProperty("id").GetGuid(), only.GetProperty("id").GetGuid());
        var all = await admin.GetFromJsonAsync<JsonElement>("/api/registry/snapshots?kind=HouseholdRegistry");
        Assert.Equal((3, 2, 4L), (all.GetProperty("count").GetInt32(), all.GetProperty("currentCount").GetInt32(), all.GetProperty("rowTotal").GetInt64()));
        Assert.True((await admin.GetFromJsonAsync<JsonElement>($"/api/registry/snapshots/{other.GetProperty("id").GetGuid()}")).GetProperty("current").GetBoolean());
        var audit = await App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking()
            .Where(e => e.Action == ReferenceSnapshots.ImportedCode).OrderBy(e => e.Seq).Select(e => e.DataJson).ToListAsync());
        Assert.Contains(first.GetProperty("id").GetGuid().ToString(), audit[^1]);
    }

    [Fact]
    public async Task Import_TheSameFileAgain_AnswersTheCurrentSnapshot_AndWritesNothing()
    {
        var file = Utf8("身份证号,户籍地区代码", $"{Alive1},210124101");
        var first = await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, file));
        var before = await CountsAsync();
        var again = await PostAsync(ReferenceKind.HouseholdRegistry, file);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var answered = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("id").GetGuid(), answered.GetProperty("id").GetGuid());
        Assert.True(answered.GetProperty("current").GetBoolean());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Records_RefuseUpdate_ByTheDatabaseTrigger()
    {
        await CreatedAsync(await PostAsync(ReferenceKind.HouseholdRegistry, Utf8("身份证号,户籍地区代码", $"{Alive1},210124101")));
        var failure = await Record.ExceptionAsync(() => App.AsSystemAsync(sp =>
            sp.GetRequiredService<OneCardDbContext>().ReferenceRecords.ExecuteUpdateAsync(s => s.SetProperty(r => r.RegionCode, "210124102"))));
        Assert.NotNull(failure);
        Assert.Contains("never edited", failure.ToString());
        var record = Assert.Single(await App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ReferenceRecords.AsNoTracking().ToListAsync()));
        Assert.Equal("210124101", record.RegionCode);
    }

    [Fact]
    public async Task Stored_HoldsNoNameIdNumberOrAccountInClear()
    {
        await CreatedAsync(await PostAsync(ReferenceKind.AccountHolders, Utf8("身份证号,姓名,账号", $"{Alive1},欧阳秀英,{Account}")));
        await CreatedAsync(await PostAsync(ReferenceKind.Deaths, Utf8("身份证号,姓名,死亡日期,火化地点", $"{Dead1},司马相如,2026-01-15,法库县殡仪馆")));
        var text = await App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            // Chinese unescaped, so that a name stored in clear would show.
            var json = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            var all = new StringBuilder();
            foreach (var r in await db.ReferenceRecords.AsNoTracking().ToListAsync()) all.AppendLine(JsonSerializer.Serialize(r, json));
            foreach (var s in await db.ReferenceSnapshots.AsNoTracking().ToListAsync()) all.AppendLine(JsonSerializer.Serialize(s, json));
            foreach (var e in await db.AuditLog.AsNoTracking().ToListAsync()) all.AppendLine(System.Text.RegularExpressions.Regex.Unescape(e.DataJson));
            return all.ToString();
        });
        Assert.Contains("法库县殡仪馆", text); // the scan reads what was stored
        foreach (var secret in new[] { Alive1, Dead1, Alive1[6..14], "欧阳秀英", "司马相如", Account, Account[^8..] })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task Import_IsRefused_OutsideTheAdministratorsRegion_AndToOtherRoles()
    {
        var countyAdmin = new CurrentUser("u-county-admin", "county.admin", "县管理员", Roles.Administrator, "210124", null);
        var refused = await Assert.ThrowsAsync<OneCardException>(() => App.AsUserAsync(countyAdmin, sp =>
            sp.GetRequiredService<ReferenceSnapshots.Handler>().ImportAsync(ReferenceKind.HouseholdRegistry, "210123", null, "康平县公安局",
                new DateOnly(2026, 2, 1), new MemoryStream(Utf8("身份证号,户籍地区代码", $"{Alive1},210123")), "data.csv", CancellationToken.None)));
        Assert.Equal((ErrorKind.Forbidden, "SnapshotRegionOutsideScope"), (refused.Kind, refused.Code));
        var clerk = await App.SignInAsync("clerk");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(ReferenceKind.HouseholdRegistry, Utf8("身份证号,户籍地区代码"), client: clerk)).StatusCode);
        Assert.Equal(0, (await CountsAsync()).Snapshots);
    }

    [Fact]
    public async Task Template_GivesTheKindsHeaderRow()
    {
        var bytes = await admin.GetByteArrayAsync("/api/registry/snapshots/template/StateFunded.csv");
        Assert.Equal("身份证号,姓名,单位名称,入职日期,离职日期,单位所在地区代码", Encoding.UTF8.GetString(bytes.AsSpan(3)).TrimEnd());
    }
}
