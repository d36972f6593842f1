using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Payments;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Corrections;

/// <summary>
/// The correction main path in the browser: the bank returns a line; the township clerk enters the new account on the
/// correction page; the county reviewer approves it there; finance pays it again and sees the reconciliation balance.
/// </summary>
public sealed class CorrectionInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private const string NewAccount = "6217000010012345678";

    /// <summary>The bank pays a batch: its file downloaded and results imported, failing <paramref name="failSeq"/> (0: none).</summary>
    private async Task PayAsync(HttpClient finance, Guid batchId, int failSeq)
    {
        await BatchRelease.EnsureReleasedAsync(finance, batchId);
        var file = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(App.Services, file, failSeq == 0 ? [] : [failSeq])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.onecard" },
        };
        (await finance.PostAsync($"/api/payments/batches/{batchId}/results", form)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Clerk_CorrectsTheAccount_ReviewerApproves_AndFinanceSeesTheRepaidLineBalance()
    {
        var id = await DriveToPaymentAsync(Claims.FiveLines());
        var finance = await App.SignInAsync("finance");
        var batchId = (await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={id}")).EnumerateArray().Single().GetProperty("id").GetGuid();
        await PayAsync(finance, batchId, failSeq: 2);
        await App.Services.GetRequiredService<CorrectionSweep>().RunAsync(default);
        var correctionId = (await finance.GetFromJsonAsync<JsonElement>($"/api/corrections?applicationId={id}")).EnumerateArray().Single().GetProperty("id").GetGuid();

        var clerk = await SignInAsync("clerk", $"/corrections/{correctionId}");
        await Assertions.Expect(clerk.Locator("[data-testid=current-step]")).ToHaveTextAsync("核实更正");
        await Assertions.Expect(clerk.Locator("[data-testid=bank-reason]")).ToHaveTextAsync("账户已销户");
        await clerk.Locator("#proposal-account").FillAsync("12AB");
        await Button(clerk, "提交复核").ClickAsync();
        await Assertions.Expect(clerk.Locator("[data-testid=error]")).ToContainTextAsync("新账号：");
        await clerk.Locator("#proposal-account").FillAsync(NewAccount);
        await clerk.Locator("#proposal-note").FillAsync("原卡已销户，已核实新卡");
        await Button(clerk, "提交复核").ClickAsync();
        await Assertions.Expect(clerk.Locator("[data-testid=current-step]")).ToHaveTextAsync("更正复核");
        await Assertions.Expect(clerk.Locator("[data-testid=proposal]")).ToContainTextAsync("****5678");
        await ShotAsync(clerk, "correction-proposed.png");

        var reviewer = await SignInAsync("reviewer", $"/corrections/{correctionId}");
        await Button(reviewer, "复核通过").ClickAsync();
        await Assertions.Expect(reviewer.Locator("[data-testid=current-step]")).ToHaveTextAsync("待再次支付");
        await Assertions.Expect(reviewer.Locator("[data-testid=current-account]")).ToContainTextAsync("****5678");

        var queue = await SignInAsync("finance", "/finance/corrections");
        await Button(queue, "生成再次支付批次").ClickAsync();
        await Assertions.Expect(queue.Locator("[data-testid=repayment-result]")).ToContainTextAsync("已生成 1 个再次支付批次");
        var repaymentId = (await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={id}")).EnumerateArray()
            .Select(b => b.GetProperty("id").GetGuid()).Single(b => b != batchId);
        await PayAsync(finance, repaymentId, failSeq: 0);
        await App.Services.GetRequiredService<CorrectionSweep>().RunAsync(default);

        var reconciliation = await SignInAsync("finance", $"/finance/reconciliation/{id}");
        await Assertions.Expect(reconciliation.Locator("[data-testid=case-balanced]")).ToHaveTextAsync("已平衡");
        // 指令 4, 首次成功 3, 退票 1, 再次支付成功 1, 办结 0, 待回盘 0, 更正中 0, 未结 0.
        await Assertions.Expect(reconciliation.Locator("[data-testid=case-counts] td")).ToHaveTextAsync(["4 笔", "3 笔", "1 笔", "1 笔", "0 笔", "0 笔", "0 笔", "0 笔", "已平衡"]);
        await Assertions.Expect(reconciliation.Locator("tr.ant-table-row", new() { HasText = "再次支付" })).ToContainTextAsync("已平衡");
        await ShotAsync(reconciliation, "correction-reconciled.png");
    }
}
