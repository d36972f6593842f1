using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OneCard.Domain.Identity;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Rosters: building, uploading, and what the host says about them.</summary>
[Binding]
public sealed class SubmissionSteps(ScenarioState state)
{
    private static readonly string[] GivenNames = ["张建国", "李秀英", "王淑珍", "刘国强", "陈玉兰", "杨振华", "赵春生", "黄海燕", "周德福", "吴立新", "徐桂兰", "孙永清"];

    [Given(@"^大孤家子镇经办人准备了如下花名册:$")]
    public void GivenRosterTable(Table table)
    {
        state.Roster.Clear();
        foreach (var (row, i) in table.Rows.Select((r, i) => (r, i)))
            state.Roster.Add(RosterLine.Valid(row["姓名"], decimal.Parse(row["承包面积（亩）"], CultureInfo.InvariantCulture),
                row["是否改变用途"] == "是", seed: 100 + i));
    }

    [Given(@"^大孤家子镇经办人准备了一个(\d+)户的有效花名册$")]
    public void GivenValidRoster(int count) => Build(count, convertedLine: 0);

    [Given(@"^把表格第(\d+)行的""(.+)""改为""(.*)""$")]
    public void GivenCellChanged(int spreadsheetRow, string column, string value)
    {
        var index = spreadsheetRow - 2; // row 1 is the header
        var line = state.Roster[index];
        state.Roster[index] = line.With(column, Expand(value, line));
    }

    [Given(@"^经办人以CSV文件上传该花名册$")]
    [When(@"^经办人以CSV文件上传该花名册$")]
    public async Task UploadRoster()
    {
        var response = await state.Remember(await Upload("clerk", RosterLine.ToCsv(state.Roster)));
        if (response.StatusCode == HttpStatusCode.Created) state.CaseId = state.LastJson.GetProperty("id").GetGuid();
    }

    [When(@"^经办人以Excel另存的GBK编码CSV文件上传该花名册$")]
    public async Task UploadRosterAsGbk()
    {
        // What Chinese Excel writes for "CSV（逗号分隔）": GBK, no BOM.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var utf8 = RosterLine.ToCsv(state.Roster);
        var gbk = Encoding.GetEncoding("GBK").GetBytes(Encoding.UTF8.GetString(utf8, 3, utf8.Length - 3));
        var response = await state.Remember(await Upload("clerk", gbk));
        if (response.StatusCode == HttpStatusCode.Created) state.CaseId = state.LastJson.GetProperty("id").GetGuid();
    }

    [Then(@"^回复说明已按""(.+)""编码读取$")]
    public void ThenEncodingNamed(string encoding) => Assert.Equal(encoding, state.LastJson.GetProperty("encoding").GetString());

    [Then(@"^经办人 (\S+) 查看该申报，明细姓名与花名册一字不差$")]
    public async Task ThenNamesIntact(string user)
    {
        var lines = (await state.Case(user)).GetProperty("lines").EnumerateArray()
            .OrderBy(l => l.GetProperty("lineNo").GetInt32()).Select(l => l.GetProperty("name").GetString()).ToList();
        Assert.Equal(state.Roster.Select(r => r.Name), lines);
    }

    [Given(@"^大孤家子镇经办人(?:又)?以CSV文件上传了一个(\d+)户的花名册(?:，其中第(\d+)户已改变用途)?$")]
    public async Task GivenUploadedRoster(int count, string convertedLine)
    {
        Build(count, convertedLine.Length == 0 ? 0 : int.Parse(convertedLine, CultureInfo.InvariantCulture));
        await UploadRoster();
        Assert.True(state.LastResponse!.StatusCode == HttpStatusCode.Created, state.LastBody);
    }

    [Then(@"^申报已受理，共(\d+)条明细，其中(\d+)条符合条件$")]
    public void ThenAccepted(int lines, int eligible)
    {
        Assert.True(state.LastResponse!.StatusCode == HttpStatusCode.Created, state.LastBody);
        var body = state.LastJson;
        Assert.Equal(lines, body.GetProperty("lineCount").GetInt32());
        Assert.Equal(eligible, body.GetProperty("eligibleCount").GetInt32());
        Assert.Equal("TownshipReview", body.GetProperty("step").GetString());
    }

    [Then(@"^错误指出表格第(\d+)行的""(.+)""，原因为""(.+)""$")]
    public void ThenErrorNamesRowFieldReason(int row, string field, string reason)
    {
        var problem = state.LastJson;
        Assert.Equal("SubmissionInvalid", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        // Exactly the one planted error: the other rows are valid and must not be blamed.
        var error = Assert.Single(errors);
        Assert.Equal(row, error.GetProperty("row").GetInt32());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(reason, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains($"第{row}行【{field}】", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Then(@"^经办人 (\S+) 查看申报列表为空$")]
    public async Task ThenNothingStored(string user)
    {
        var list = await state.GetJson(user, "/api/applications");
        Assert.Empty(list.EnumerateArray());
        var tasks = await state.GetJson(user, "/api/tasks");
        Assert.Empty(tasks.EnumerateArray());
    }

    private void Build(int count, int convertedLine)
    {
        state.Roster.Clear();
        for (var i = 0; i < count; i++)
            state.Roster.Add(RosterLine.Valid(GivenNames[i % GivenNames.Length], 5m + i * 1.5m, converted: i + 1 == convertedLine, seed: 200 + i));
    }

    /// <summary>Placeholders an example may use: {校验位} (the right check character), {第N行身份证号}, {错误校验位}.</summary>
    private string Expand(string value, RosterLine line)
    {
        if (value == "{错误校验位}")
        {
            var right = line.IdNumber[^1];
            var wrong = right == '0' ? '1' : '0';
            return line.IdNumber[..^1] + wrong;
        }
        if (value.EndsWith("{校验位}", StringComparison.Ordinal))
        {
            var body = value[..^"{校验位}".Length];
            return body + IdNumber.CheckCharacter(body);
        }
        var match = System.Text.RegularExpressions.Regex.Match(value, @"^\{第(\d+)行身份证号\}$");
        if (match.Success) return state.Roster[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) - 2].IdNumber;
        return value;
    }

    private async Task<HttpResponseMessage> Upload(string user, byte[] csv)
    {
        var client = await state.As(user);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "花名册.csv");
        form.Add(new StringContent(Host.Demo.DemoData.PolicyCode), "policyCode");
        form.Add(new StringContent("2026"), "period");
        return await client.PostAsync("/api/applications/roster", form);
    }
}
