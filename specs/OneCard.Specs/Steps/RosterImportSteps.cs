using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Applications;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Roster imports (issue 9): a file uploaded to /api/roster-imports and read by the background job.</summary>
[Binding]
public sealed class RosterImportSteps(ScenarioState state)
{
    private byte[] file = [];
    private Guid importId;

    [Given(@"^经办人用 Excel 把它另存为 GBK 编码的 CSV 文件$")]
    public void GivenSavedAsGbk()
    {
        // What Chinese Excel writes for "CSV（逗号分隔）": GBK (GB18030 is its superset), no BOM.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var utf8 = RosterLine.ToCsv(state.Roster);
        file = Encoding.GetEncoding("GB18030").GetBytes(Encoding.UTF8.GetString(utf8, 3, utf8.Length - 3));
    }

    [Then(@"^该文件没有 BOM，也不是有效的 UTF-8$")]
    public void ThenNoBomAndNotUtf8()
    {
        Assert.False(file.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]));
        Assert.False(System.Text.Unicode.Utf8.IsValid(file));
    }

    [When(@"^经办人以""(整体退回|只受理正确的行)""方式导入该文件，后台任务处理完毕$")]
    public async Task WhenImported(string modeZh)
    {
        var client = await state.As("clerk");
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", "花名册.csv");
        form.Add(new StringContent(Host.Demo.DemoData.PolicyCode), "policyCode");
        form.Add(new StringContent("2026"), "period");
        form.Add(new StringContent(modeZh == "整体退回" ? "RefuseWhole" : "AcceptValid"), "mode");
        var response = await state.Remember(await client.PostAsync("/api/roster-imports", form));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, state.LastBody);
        importId = state.LastJson.GetProperty("id").GetGuid();
        // The job itself, as the Hangfire server would run it (the specs' host runs no job server).
        await state.App.Services.GetRequiredService<RosterImportJob>().RunAsync(importId, CancellationToken.None);
    }

    [Then(@"^导入成功，生成的申报共(\d+)条明细，没有退回的行$")]
    public async Task ThenSucceeded(int lines)
    {
        var status = await state.GetJson("clerk", $"/api/roster-imports/{importId}");
        Assert.Equal("Succeeded", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("refusedCount").GetInt32());
        state.CaseId = status.GetProperty("applicationId").GetGuid();
        Assert.Equal(lines, (await state.Case("clerk")).GetProperty("lines").GetArrayLength());
    }
}
