using System.Net;
using System.Text;
using System.Text.Json;
using MiniExcelLibs;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// The roster template (<c>GET /api/rulesets/{policy}/template.csv|.xlsx</c>) is generated from the rule set in force and
/// round-trips: its header is what the roster reader and the header check accept, its example row (the rule set's first
/// eligible example) uploaded at the clerk's township gives a case — for two policies of two departments.
/// </summary>
public sealed class RosterTemplateTests : IAsyncLifetime
{
    private const string Township = "210124101";
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    // 耕地地力保护补贴's rule set has no examples: its template is the header alone, filled here by hand.
    [InlineData("clerk", "arable-land-protection", "承包面积（亩）", "12.5|否")]
    [InlineData("clerk.civil", "elderly-longevity-allowance", "是否低保对象", null)]
    public async Task Template_CsvAndXlsx_CarryTheRuleSetsColumns_AndTheExampleRowUploadsAsACase(string clerk, string policy, string factColumn, string? fill)
    {
        var client = await app.SignInAsync(clerk);
        var csv = await client.GetAsync($"/api/rulesets/{policy}/template.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.GetPreamble()), "UTF-8 BOM for Excel");
        var lines = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fill is null ? 2 : 1, lines.Length);
        var header = lines[0].Split(',');
        if (fill is not null)
            lines = [lines[0], string.Join(',', ["张三", Claims.Id("21012419800101123"), "210199999", Claims.Account, "邮储银行", "社保卡", .. fill.Split('|')])];
        Assert.Equal(["姓名", "身份证号", "地区代码", "银行账号", "开户银行", "账户类型"], header[..6]);
        Assert.Contains(factColumn, header);
        Assert.DoesNotContain("评估日期", header); // AsOf is the submission day, never a column

        // The xlsx holds the same cells.
        var xlsx = await client.GetByteArrayAsync($"/api/rulesets/{policy}/template.xlsx");
        var sheet = new MemoryStream(xlsx).Query(useHeaderRow: false).Cast<IDictionary<string, object?>>()
            .Select(r => r.Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray()).ToList();
        Assert.Equal(header, sheet[0]);
        if (fill is null) Assert.Equal(lines[1].Split(','), sheet[1]);
        else
        {
            Assert.Single(sheet);
            sheet.Add(lines[1].Split(','));
        }

        // Filled for this township (the example may be another county's), the xlsx goes in as it is and gives a case.
        var region = Array.IndexOf(header, "地区代码");
        sheet[1][region] = Township;
        var filled = new MemoryStream();
        filled.SaveAs(sheet.Select(r => r.Select((v, i) => (Key: "C" + i, Value: (object)v)).ToDictionary(c => c.Key, c => c.Value)), printHeader: false);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(filled.ToArray()), "file", "花名册.xlsx" },
            { new StringContent(policy), "policyCode" },
            { new StringContent("2026"), "period" },
        };
        var upload = await client.PostAsync("/api/applications/roster", form);
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, $"{(int)upload.StatusCode}: {body}");
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, created.GetProperty("lineCount").GetInt32());
        Assert.Equal(1, created.GetProperty("eligibleCount").GetInt32());
        Assert.StartsWith(policy + "@", created.GetProperty("ruleSet").GetString());
    }

    [Fact]
    public async Task Template_OfAnUnknownPolicy_IsRefusedInChinese()
    {
        var client = await app.SignInAsync("clerk");
        var response = await client.GetAsync("/api/rulesets/no-such-policy/template.csv");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("补贴政策“no-such-policy”不存在", await response.Content.ReadAsStringAsync());
    }
}
