using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>银行回盘文件验签: the sealed envelope of the bank files, and a result file whose signature does not verify.</summary>
[Binding]
public sealed class BankFileSteps(ScenarioState state)
{
    private byte[] results = [];

    [Then(@"^银行文件是加密签名的信封，文件头写明批次号、协议号""(.+)""和密钥版本(\d+)，明文中没有账号$")]
    public async Task ThenSealed(string agreementNo, int keyVersion)
    {
        var batch = await Batch();
        var head = Encoding.UTF8.GetString(state.BankFile, 0, Math.Min(400, state.BankFile.Length));
        Assert.StartsWith("ONECARD-BANKFILE/1\n", head, StringComparison.Ordinal);
        Assert.Contains($"\nbatch: {batch.GetProperty("batchNo").GetString()}\n", head, StringComparison.Ordinal);
        Assert.Contains($"\nagreement: {agreementNo}\n", head, StringComparison.Ordinal);
        Assert.Contains($"\nkey-version: {keyVersion}\n", head, StringComparison.Ordinal);
        var whole = Encoding.UTF8.GetString(state.BankFile);
        Assert.All(state.Roster, r => Assert.DoesNotContain(r.BankAccount, whole, StringComparison.Ordinal));
    }

    [When(@"^银行回盘全部成功，但文件在传输中被改动了一个字节$")]
    public async Task WhenTampered()
    {
        results = await Host.Demo.DemoBank.RespondAsync(state.App.Services, state.BankFile, []);
        var tampered = (byte[])results.Clone();
        tampered[tampered.Length / 2 + 20] ^= 0x01;
        await state.Remember(await PostAsync(tampered));
    }

    [When(@"^银行重新发送未改动的回盘文件$")]
    public async Task WhenResent()
    {
        using var response = await PostAsync(results);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Then(@"^拒收理由含""(.+)""$")]
    public void ThenReason(string text)
    {
        var messages = state.LastJson.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ToList();
        Assert.Contains(messages, m => m!.Contains(text, StringComparison.Ordinal));
    }

    [Then(@"^批次仍有(\d+)笔待定，成功(\d+)笔，失败(\d+)笔$")]
    public async Task ThenUnchanged(int pending, int succeeded, int failed)
    {
        var batch = await Batch();
        Assert.Equal(pending, batch.GetProperty("pending").GetInt32());
        Assert.Equal(succeeded, batch.GetProperty("succeeded").GetInt32());
        Assert.Equal(failed, batch.GetProperty("failed").GetInt32());
        Assert.Equal("Instructed", batch.GetProperty("status").GetString());
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] file)
    {
        var client = await state.As("finance");
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", "回盘.bank");
        return await client.PostAsync($"/api/payments/batches/{state.BatchId}/results", form);
    }

    private async Task<JsonElement> Batch()
    {
        var batches = await state.GetJson("finance", $"/api/payments/batches?applicationId={state.CaseId}");
        return Assert.Single(batches.EnumerateArray());
    }
}
