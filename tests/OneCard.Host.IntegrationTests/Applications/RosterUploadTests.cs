using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>Guarantee 6: bad input is refused whole, every problem located by row, field and reason in Chinese.</summary>
public sealed class RosterUploadTests : IAsyncLifetime
{
    private const string Header = CaseDriver.RosterHeader;
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string Row(string name, string id, string region = "210124101", string area = "10.5", string converted = "否",
        string account = "6217991234567890123") => $"{name},{id},{region},{account},邮储银行,{area},{converted}";

    private static byte[] Csv(params string[] rows) => Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. rows]) + "\n");

    [Fact]
    public async Task Upload_AcceptsCsvRoster_AndStoresWarningsWithoutRejecting()
    {
        // 6217991234567890123 fails Luhn: a warning, not a rejection (real rural passbooks fail it).
        var response = await driver.UploadRosterAsync(Csv(Row("张三", CaseDriver.Id("21012419800101123"), account: "6217991234567890124"), Row("李四", CaseDriver.Id("21012419750505123"), account: "6217991234567890123")), "roster.csv");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var lines = (await driver.GetAsync(id)).GetProperty("lines");
        Assert.Equal(2, lines.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("warnings").ValueKind);
        Assert.Contains("BankAccountLuhn", lines[1].GetProperty("warnings").GetRawText());
    }

    public static TheoryData<string, string, string> BadRows => new()
    {
        { Row("张三", "210124198001011231"), "身份证号", "IdChecksum" },
        { Row("张三", CaseDriver.Id("21012419900230123")), "身份证号", "IdBirthDateInvalid" },
        { Row("张三", CaseDriver.Id("21012419800101123"), region: "210199999"), "地区代码", "RegionUnknown" },
        { Row("张三", CaseDriver.Id("21012419800101123"), area: "-3"), "承包面积（亩）", "FactBelowMinimum" },
        { Row("张三", CaseDriver.Id("21012419800101123"), area: "十亩"), "承包面积（亩）", "FactNotNumber" },
        { Row("张三", CaseDriver.Id("21012419800101123"), converted: "也许"), "是否改变用途", "FactNotYesNo" },
        { Row("张三", CaseDriver.Id("21012419800101123"), account: "62179912345678A0123"), "银行账号", "BankAccountCharset" },
        { Row("", CaseDriver.Id("21012419800101123")), "姓名", "NameMissing" },
        { Row("张三", CaseDriver.Id("21012419800101123"), region: "210124102"), "地区代码", "RegionOutsideApplication" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task Upload_RejectsRosterWhole_NamingRowFieldAndReason(string badRow, string field, string code)
    {
        var response = await driver.UploadRosterAsync(Csv(Row("王五", CaseDriver.Id("21012419660303456")), badRow), "roster.csv");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SubmissionInvalid", problem.GetProperty("code").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("row").GetInt32()); // header = row 1, the bad line is the second data row
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", error.GetProperty("message").GetString());
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_ReportsDuplicateId_AtTheSecondRow_AndEveryOtherError()
    {
        var id = CaseDriver.Id("21012419800101123");
        var response = await driver.UploadRosterAsync(Csv(Row("张三", id), Row("张三", id), Row("李四", "123")), "roster.csv");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains((3, "DuplicateIdInRoster"), errors);
        Assert.Contains((4, "IdLength"), errors);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("第2行", StringComparison.Ordinal));
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_AcceptsXlsxRoster()
    {
        var rows = new[]
        {
            new Dictionary<string, object> { ["姓名"] = "张三", ["身份证号"] = CaseDriver.Id("21012419800101123"), ["地区代码"] = "210124101", ["银行账号"] = "6217991234567890123", ["开户银行"] = "邮储", ["承包面积（亩）"] = "7.5", ["是否改变用途"] = "否" },
        };
        using var stream = new MemoryStream();
        stream.SaveAs(rows);
        var response = await driver.UploadRosterAsync(stream.ToArray(), "roster.xlsx");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // 7.5 × 85.35 = 640.125 → 640.13
        Assert.Equal(640.13m, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payableAmount").GetDecimal());
    }

    [Fact]
    public async Task Upload_RefusesRenamedExecutable_AsNotXlsx()
    {
        var response = await driver.UploadRosterAsync([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00], "roster.xlsx");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("RosterNotXlsx", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_RefusesZipBomb_BeforeParsing()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("[Content_Types].xml").Open().Dispose();
            using var bomb = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++) bomb.Write(zeros); // 64 MB of zeros, a few dozen KB compressed
        }
        var response = await driver.UploadRosterAsync(buffer.ToArray(), "roster.xlsx");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("RosterZipBomb", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Upload_RefusesUnknownFileType()
    {
        var response = await driver.UploadRosterAsync(Encoding.UTF8.GetBytes("x"), "roster.exe");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("RosterFileType", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Upload_IsRefused_ForRolesOtherThanTownshipClerk()
    {
        var response = await driver.UploadRosterAsync(Csv(Row("张三", CaseDriver.Id("21012419800101123"))), "roster.csv", user: "reviewer");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
