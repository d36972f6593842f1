using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Payments;

/// <summary>
/// Finance opens 支付批次 (/finance/batches), opens the case's batch, downloads its sealed bank file, has the demo bank answer it
/// (one line returned), uploads the result file on the batch page and sees the reconciliation: 3 paid, 1 failed, 0 pending,
/// balancing to the cent. A tampered result file is refused first, with its located reason in the error table. A large case's
/// upload says that its publication is being generated.
/// </summary>
public sealed class BatchReconciliationInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Finance_DownloadsTheBankFile_UploadsItsResults_AndSeesTheReconciliation()
    {
        var id = await DriveToPaymentAsync(Claims.FiveLines());
        // The batch released to its bank, as CaseDriver.ReadyBatchesAsync has it.
        var batch = Assert.Single(await BatchRelease.ReadyAsync(await App.SignInAsync("finance"), id));
        var batchNo = batch.GetProperty("batchNo").GetString()!;

        var page = await SignInAsync("finance", "/finance/batches");
        await page.Locator($"[data-batch='{batchNo}']").ClickAsync();
        await page.WaitForURLAsync($"**/finance/batches/{batch.GetProperty("id").GetGuid()}");
        await WaitUntilInteractiveAsync(page, batchNo);
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "Instructed");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-action=download-bank-file]").ClickAsync());
        Assert.Equal($"{batchNo}.bank", download.SuggestedFilename);
        var path = await download.PathAsync();
        var bankFile = await File.ReadAllBytesAsync(path);
        Assert.StartsWith("ONECARD-BANKFILE/1\nkind: instructions\nbatch: " + batchNo, System.Text.Encoding.UTF8.GetString(bankFile, 0, 200));
        var results = await Host.Demo.DemoBank.RespondAsync(App.Services, bankFile, [2]);

        // A result file changed in transit is refused whole: nothing is recorded, the table locates the reason.
        var tampered = (byte[])results.Clone();
        tampered[^40] ^= 0x01;
        await page.Locator("[data-upload=results]").SetInputFilesAsync(new FilePayload { Name = "results.bank", MimeType = "application/octet-stream", Buffer = tampered });
        await Button(page, "上传回盘").ClickAsync();
        await Assertions.Expect(page.Locator("[data-error=ResultSignatureInvalid]")).ToContainTextAsync("HMAC-SM3 签名");
        await Assertions.Expect(page.Locator("[data-row=pending]")).ToContainTextAsync("4");

        await page.Locator("[data-upload=results]").SetInputFilesAsync(new FilePayload { Name = "results.bank", MimeType = "application/octet-stream", Buffer = results });
        await Button(page, "上传回盘").ClickAsync();
        await Assertions.Expect(page.Locator("[data-import-summary]")).ToContainTextAsync("登记 4 笔");
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "Reconciled");
        await Assertions.Expect(page.Locator("[data-row=succeeded] td").Nth(1)).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("[data-row=failed] td").Nth(1)).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-row=pending] td").Nth(1)).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("[data-reconciliation]")).ToHaveAttributeAsync("data-balanced", "true");
        await Assertions.Expect(page.Locator("[data-balance]")).ToContainTextAsync("相符");
        await Assertions.Expect(page.Locator("[data-imports] tbody tr")).ToHaveCountAsync(1);
        await ShotAsync(page, "batch-reconciled.png");

        var after = (await (await App.SignInAsync("finance")).GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={id}")).EnumerateArray().Single();
        Assert.Equal(after.GetProperty("totalAmount").GetDecimal(), after.GetProperty("succeededAmount").GetDecimal() + after.GetProperty("failedAmount").GetDecimal());
        Assert.Equal("Publicized", (await DetailAsync("reviewer", id)).GetProperty("case").GetProperty("step").GetString());
    }

    [Fact]
    public async Task Finance_UploadsTheResultsOfALargeCase_IsToldItsPublicationIsBeingGenerated_AndSeesItDone()
    {
        // Every case counts as large here (Payments:PublishInlineUpTo 0): its publication runs as a job, which no server runs here.
        App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Payments:PublishInlineUpTo"] = "0";
        var id = await DriveToPaymentAsync(Claims.FiveLines());
        var batch = Assert.Single(await BatchRelease.ReadyAsync(await App.SignInAsync("finance"), id));
        var batchId = batch.GetProperty("id").GetGuid();
        var bankFile = await (await App.SignInAsync("finance")).GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        var results = await Host.Demo.DemoBank.RespondAsync(App.Services, bankFile, [2]);

        var page = await SignInAsync("finance", $"/finance/batches/{batchId}");
        await WaitUntilInteractiveAsync(page, batch.GetProperty("batchNo").GetString()!);
        await page.Locator("[data-upload=results]").SetInputFilesAsync(new FilePayload { Name = "results.bank", MimeType = "application/octet-stream", Buffer = results });
        await Button(page, "上传回盘").ClickAsync();
        await Assertions.Expect(page.Locator("[data-import-summary]")).ToContainTextAsync("登记 4 笔");
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "Reconciled");
        await Assertions.Expect(page.Locator("[data-publication-queued]")).ToContainTextAsync("已对账，公开生成中");
        Assert.Equal("Payment", (await DetailAsync("reviewer", id)).GetProperty("case").GetProperty("step").GetString());

        // The note comes from the case's state, not from the upload's answer: a reload still shows it.
        await page.ReloadAsync();
        await WaitUntilInteractiveAsync(page, batch.GetProperty("batchNo").GetString()!);
        await Assertions.Expect(page.Locator("[data-publication-queued]")).ToContainTextAsync("已对账，公开生成中");

        // The job, run as the server would: the case is published, and the open page says so without a reload.
        Assert.Equal("Publicized", await App.Services.GetRequiredService<Host.Payments.Publication>().RunAsync(id, CancellationToken.None));
        Assert.Equal("Publicized", (await DetailAsync("reviewer", id)).GetProperty("case").GetProperty("step").GetString());
        await Assertions.Expect(page.Locator("[data-published]")).ToContainTextAsync("公开已生成");
        await Assertions.Expect(page.Locator("[data-publication-queued]")).ToHaveCountAsync(0);
    }
}
