using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 5, finding 6: hostile and Chinese-Excel files. Every malformed file is a located Chinese 422
/// (never a 500), a GBK file from Excel is read as GBK, and a huge bad file gets a small answer.
/// </summary>
public sealed class RosterFileHardeningTests : IAsyncLifetime
{
    private const string Header = CaseDriver.RosterHeader;
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    static RosterFileHardeningTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static string Row(string name, string id, string bankName = "邮储银行", string area = "10.5") =>
        $"{name},{id},210124101,6217991234567890123,{bankName},{area},否";

    private static string Text(params string[] rows) => string.Join("\r\n", [Header, .. rows]) + "\r\n";

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.UnprocessableEntity)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.GetProperty("title").GetString());
        return problem;
    }

    private static List<(int Row, string Field, string Code)> Errors(JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!))];

    [Fact]
    public async Task Upload_AcceptsGbkCsvSavedByExcel_WithNamesIntact_AndSaysWhichEncoding()
    {
        var gbk = Encoding.GetEncoding("GBK").GetBytes(Text(Row("张三", CaseDriver.Id("21012419800101123")), Row("欧阳秀英", CaseDriver.Id("21012419591111222"))));

        var response = await driver.UploadRosterAsync(gbk, "花名册.csv");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal("GB18030", created.GetProperty("encoding").GetString());
        var lines = (await driver.GetAsync(created.GetProperty("id").GetGuid(), "clerk")).GetProperty("lines").EnumerateArray()
            .OrderBy(l => l.GetProperty("lineNo").GetInt32()).Select(l => l.GetProperty("name").GetString()).ToList();
        Assert.Equal(["张三", "欧阳秀英"], lines);
    }

    [Fact]
    public async Task Upload_ReadsUtf8WithoutBom_AsUtf8()
    {
        var response = await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(Text(Row("张三", CaseDriver.Id("21012419800101123")))), "roster.csv");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("UTF-8", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("encoding").GetString());
    }

    [Fact]
    public async Task Upload_RefusesShortAndLongRows_LocatingEach_InsteadOf500()
    {
        var csv = Text(Row("王五", CaseDriver.Id("21012419660303456")), "张三,210124198001011230", Row("李四", CaseDriver.Id("21012419750505123")) + ",多余");

        var problem = await ProblemAsync(await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(csv), "roster.csv"));

        var errors = Errors(problem);
        Assert.Contains(errors, e => e is (3, _, "RosterRowShort"));
        Assert.Contains(errors, e => e is (4, "H", "RosterRowLong"));
        Assert.Equal(2, errors.Count);
        Assert.Equal(3, problem.GetProperty("rowCount").GetInt32());
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_RefusesDuplicateHeader_NamingTheColumnAndBothPositions()
    {
        var csv = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途,姓名\r\n" + Row("张三", CaseDriver.Id("21012419800101123")) + ",李四\r\n";

        var problem = await ProblemAsync(await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(csv), "roster.csv"));

        Assert.Equal("RosterDuplicateHeader", problem.GetProperty("code").GetString());
        Assert.Contains("“姓名”重复：第A列和第H列", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_RefusesNulAndOverlongCells_WithRowAndColumn()
    {
        var csv = Text(Row("张\0三", CaseDriver.Id("21012419800101123")), Row("李四", CaseDriver.Id("21012419750505123"), bankName: new string('行', 100_000)));

        var problem = await ProblemAsync(await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(csv), "roster.csv"));

        var errors = Errors(problem);
        Assert.Contains((2, "姓名", "CellControlCharacter"), errors);
        Assert.Contains((3, "开户银行", "CellTooLong"), errors);
        Assert.True(problem.GetRawText().Length < 20_000, "messages do not echo the 100,000-character cell");
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task SubmitJson_RefusesNulAndOverlongBankName_LikeARoster()
    {
        var clerk = await driver.As("clerk");
        var line = new
        {
            name = "张三", idNumber = CaseDriver.Id("21012419800101123"), regionCode = "210124101", bankAccount = Claims.Account,
            bankName = "邮储\0" + new string('行', 1_000), facts = new Dictionary<string, object> { ["AreaMu"] = 1m, ["LandConverted"] = false },
        };
        var problem = await ProblemAsync(await clerk.PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = new[] { line } }));
        Assert.Contains((1, "开户银行", "CellControlCharacter"), Errors(problem));
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_RefusesXlsxWithDoctype_BeforeParsing()
    {
        var xlsx = RewriteSheet(Xlsx(), xml => Regex.Replace(xml, @"^(<\?xml[^>]*\?>)?",
            m => m.Value + "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"));

        var problem = await ProblemAsync(await driver.UploadRosterAsync(xlsx, "roster.xlsx"));

        Assert.Equal("RosterXmlDoctype", problem.GetProperty("code").GetString());
        await driver.AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Upload_XlsxWhoseDimensionUnderDeclaresItsSize_IsReadOrRefusedWithALocatedReason_Never500()
    {
        var xlsx = RewriteSheet(Xlsx(), xml => Regex.Replace(xml, @"(<(\w+:)?dimension ref="")[^""]*("")", "${1}A1:B1${3}"));
        Assert.NotEqual(Xlsx(), xlsx);

        var response = await driver.UploadRosterAsync(xlsx, "roster.xlsx");

        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Created) return; // read in full despite the lie: fine
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.GetProperty("title").GetString());
        Assert.Contains("roster.xlsx", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_OfAHugeBadFile_AnswersASmallCapped422_WithTotals_AndADownloadableReport()
    {
        // 2 MB: a valid header, then a million one-character lines (each a row too short to read).
        var text = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < 1_000_000; i++) text.Append("a\n");

        var response = await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(text.ToString()), "huge.csv");

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True(body.Length < 200_000, $"the error response is {body.Length} bytes");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.GetProperty("errors").GetArrayLength() <= 100);
        Assert.Equal(1_000_000, problem.GetProperty("errorCount").GetInt32());
        Assert.Equal(1_000_000, problem.GetProperty("errorRowCount").GetInt32());
        Assert.Equal(1_000_000, problem.GetProperty("rowCount").GetInt32());
        var url = problem.GetProperty("report").GetProperty("url").GetString()!;

        var report = await (await driver.As("clerk")).GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var csv = Encoding.UTF8.GetString(await report.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("\uFEFF行,字段,错误代码,原因", csv, StringComparison.Ordinal);
        Assert.Contains("错误过多，仅列出前10000处", csv, StringComparison.Ordinal);
        Assert.Equal(10_000 + 2, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        // Only the uploader may read it.
        Assert.Equal(HttpStatusCode.NotFound, (await (await driver.As("clerk2")).GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Upload_RefusesHeaderWithoutRequiredColumns_Once_NotOncePerLine()
    {
        var text = new StringBuilder("a\n");
        for (var i = 0; i < 10_000; i++) text.Append("a\n");

        var problem = await ProblemAsync(await driver.UploadRosterAsync(Encoding.UTF8.GetBytes(text.ToString()), "wrong.csv"));

        var errors = Errors(problem);
        Assert.All(errors, e => Assert.Equal((1, "RosterColumnMissing"), (e.Row, e.Code)));
        Assert.Contains(errors, e => e.Field == "姓名");
        Assert.Equal(6, problem.GetProperty("errorCount").GetInt32());
    }

    private static byte[] Xlsx()
    {
        var rows = new[]
        {
            new Dictionary<string, object> { ["姓名"] = "张三", ["身份证号"] = CaseDriver.Id("21012419800101123"), ["地区代码"] = "210124101", ["银行账号"] = "6217991234567890123", ["开户银行"] = "邮储", ["承包面积（亩）"] = "7.5", ["是否改变用途"] = "否" },
            new Dictionary<string, object> { ["姓名"] = "李四", ["身份证号"] = CaseDriver.Id("21012419750505123"), ["地区代码"] = "210124101", ["银行账号"] = "6217991234567890123", ["开户银行"] = "邮储", ["承包面积（亩）"] = "3", ["是否改变用途"] = "否" },
        };
        using var stream = new MemoryStream();
        stream.SaveAs(rows);
        return stream.ToArray();
    }

    private static byte[] RewriteSheet(byte[] xlsx, Func<string, string> rewrite)
    {
        using var buffer = new MemoryStream();
        buffer.Write(xlsx);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            var name = entry.FullName;
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
            writer.Write(rewrite(xml));
        }
        return buffer.ToArray();
    }
}
