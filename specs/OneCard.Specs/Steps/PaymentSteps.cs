using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Finance: the payment batch, the bank instruction file, the bank's result file and reconciliation.</summary>
[Binding]
public sealed class PaymentSteps(ScenarioState state, CaseSteps cases, PublicitySteps publicity)
{
    [Then(@"^生成了一个支付批次，包含第([\d、]+)条明细$")]
    public async Task ThenBatch(string lineNos)
    {
        var batch = await Batch();
        state.BatchId = batch.GetProperty("id").GetGuid();
        var expected = Words.LineNos(lineNos);
        var lines = await cases.Lines();
        Assert.Equal(expected.Length, batch.GetProperty("lineCount").GetInt32());
        Assert.Equal(lines.Where(l => expected.Contains(l.GetProperty("lineNo").GetInt32())).Sum(l => l.GetProperty("amount").GetDecimal()),
            batch.GetProperty("totalAmount").GetDecimal());
        Assert.Equal(expected, lines.Where(l => l.GetProperty("outcome").GetString() == "Instructed").Select(l => l.GetProperty("lineNo").GetInt32()));
    }

    [When(@"^财政下载该批次的银行文件$")]
    public async Task DownloadBankFile()
    {
        var client = await state.As("finance");
        using var response = await client.GetAsync($"/api/payments/batches/{state.BatchId}/bank-file");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        state.BankFile = await response.Content.ReadAsByteArrayAsync();
    }

    [Then(@"^银行文件表头为""(.+)""$")]
    public async Task ThenBankFileHeader(string header) => Assert.Equal(header, (await BankFileRowsAsync())[0]);

    [Then(@"^银行文件恰好列出第([\d、]+)条明细，账号为完整账号，金额与明细一致$")]
    public async Task ThenBankFileLines(string lineNos)
    {
        var expected = Words.LineNos(lineNos);
        var rows = (await BankFileRowsAsync()).Skip(1).Select(r => r.Split(',')).ToList();
        var lines = await cases.Lines();
        var batchNo = (await Batch()).GetProperty("batchNo").GetString() ?? "";
        Assert.Equal(expected.Length, rows.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var roster = state.Roster[expected[i] - 1];
            var line = lines.Single(l => l.GetProperty("lineNo").GetInt32() == expected[i]);
            Assert.Equal<string>([batchNo, (i + 1).ToString(CultureInfo.InvariantCulture), roster.Name, roster.BankAccount,
                line.GetProperty("amount").GetDecimal().ToString("0.00", CultureInfo.InvariantCulture), Host.Demo.DemoData.PolicyCode, "2026"], rows[i]);
        }
    }

    [When(@"^银行回盘第(\d+)笔失败，说明为""(.+)""，其余成功$")]
    public Task BankReturnsOneFailure(int seq, string reason) => ImportResults(seq, reason);

    [When(@"^案件走完复核与发放，银行回盘全部成功$")]
    public async Task PayAll()
    {
        await publicity.TimerDue();
        await cases.Act("finance", "Approve");
        state.BatchId = (await Batch()).GetProperty("id").GetGuid();
        await BatchRelease.AllocateAndReleaseAsync(await state.As("finance"), state.BatchId);
        await DownloadBankFile();
        await ImportResults(failSeq: 0, reason: "");
    }

    [Then(@"^批次对账相符：指令金额 = 成功金额 \+ 失败金额，成功(\d+)笔，失败(\d+)笔，待定(\d+)笔$")]
    public async Task ThenReconciled(int succeeded, int failed, int pending)
    {
        var batch = await Batch();
        Assert.Equal(succeeded, batch.GetProperty("succeeded").GetInt32());
        Assert.Equal(failed, batch.GetProperty("failed").GetInt32());
        Assert.Equal(pending, batch.GetProperty("pending").GetInt32());
        Assert.Equal("Reconciled", batch.GetProperty("status").GetString());
        Assert.Equal(batch.GetProperty("totalAmount").GetDecimal(),
            batch.GetProperty("succeededAmount").GetDecimal() + batch.GetProperty("failedAmount").GetDecimal() + batch.GetProperty("pendingAmount").GetDecimal());
        Assert.Equal(0m, batch.GetProperty("pendingAmount").GetDecimal());
        // The failed amount is exactly what the bank returned: the amounts of the failed instructions in the file sent.
        var failedInFile = (await BankFileRowsAsync()).Skip(1).Select(r => r.Split(',')).Where(r => r[1] == FailedSeq.ToString(CultureInfo.InvariantCulture))
            .Sum(r => decimal.Parse(r[4], CultureInfo.InvariantCulture));
        Assert.Equal(failedInFile, batch.GetProperty("failedAmount").GetDecimal());
    }

    private int FailedSeq { get; set; }

    private async Task ImportResults(int failSeq, string reason)
    {
        FailedSeq = failSeq;
        // The demo bank opens the sealed instruction file with the agreement's keys and answers in the same envelope.
        var results = await Host.Demo.DemoBank.RespondAsync(state.App.Services, state.BankFile, [failSeq], reason);
        var client = await state.As("finance");
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(results);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "回盘.bank");
        using var response = await client.PostAsync($"/api/payments/batches/{state.BatchId}/results", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var summary = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Reconciled", summary.GetProperty("batchStatus").GetString());
        Assert.Equal("Publicized", summary.GetProperty("step").GetString());
    }

    private async Task<JsonElement> Batch()
    {
        var batches = await state.GetJson("finance", $"/api/payments/batches?applicationId={state.CaseId}");
        return Assert.Single(batches.EnumerateArray());
    }

    /// <summary>The downloaded file opened as the bank would. Awaited, never blocked on: SpecFlow runs steps on its own
    /// synchronization context, where a blocking wait for a database call deadlocks the scenario.</summary>
    private async Task<string[]> BankFileRowsAsync()
    {
        Assert.NotEmpty(state.BankFile);
        var clear = await Host.Demo.DemoBank.OpenAsync(state.App.Services, state.BankFile);
        return clear.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }
}
