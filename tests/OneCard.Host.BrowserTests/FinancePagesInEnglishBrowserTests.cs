using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Cases;
using OneCard.Host.Payments;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// Issue 10 item 8 for the finance and supervision pages: with real data on them (a batch sent to its bank, late, then
/// paid with one line returned; an indicator allocated; the demo banks' agreements; the returned line's correction), every
/// page of the group shows in English with no Chinese of its own. Bank names, place names, 文号 and what a bank or a user
/// wrote are data (<c>data-l10n="data"</c>) and stay as stored.
/// </summary>
public sealed class FinancePagesInEnglishBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    [Fact]
    public async Task FinanceAndSupervisionPages_WithDataOnThem_ShowNoChinese_InEnglish()
    {
        var id = await DriveToPaymentAsync(Claims.FiveLines()); // Tue 2026-03-10: the batch goes to its bank, due Sat 03-14
        var finance = await App.SignInAsync("finance");
        var batch = Assert.Single(await BatchRelease.ReadyAsync(finance, id));
        var batchId = batch.GetProperty("id").GetGuid();
        var batchNo = batch.GetProperty("batchNo").GetString()!;
        foreach (var user in new[] { "finance", "supervisor", "clerk" })
            Assert.Equal(System.Net.HttpStatusCode.NoContent,
                (await (await App.SignInAsync(user)).PutAsJsonAsync("/api/auth/language", new { language = "en" })).StatusCode);

        // The bank stays silent past its time limit and grace: the batch is late and escalated.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 17, 9, 0, 0, Cst));
        await App.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);

        var sla = await SignInAsync("supervisor", "/supervision");
        await WaitUntilInteractiveAsync(sla, "Supervision dashboard");
        await Assertions.Expect(sla.Locator("[data-testid=region-chart] svg")).ToHaveCountAsync(1);
        await Assertions.Expect(sla.Locator("[data-testid=region-table] tr.ant-table-row").First).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(sla, Output, "Supervision dashboard", "On-time rate", "By step and policy", "Overdue tasks");

        var late = await SignInAsync("supervisor", "/supervision/late-payments");
        var lateRow = late.Locator("[data-testid=late-table] tr.ant-table-row", new() { HasText = batchNo });
        await Assertions.Expect(lateRow).ToContainTextAsync("Late by 2 working days");
        await Assertions.Expect(lateRow).ToContainTextAsync("Escalated");
        await EnglishPages.AssertNoChineseAsync(late, Output, "Late payments", "Results due");

        var performance = await SignInAsync("supervisor", "/supervision/bank-performance");
        await Assertions.Expect(performance.Locator("[data-testid=performance-table] tr.ant-table-row", new() { HasText = "Month 3" })).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(performance, Output, "Paying banks' performance", "Year total", "Failure rate");

        // The bank pays all but line 2 (returned): the batch reconciles and the returned line becomes a correction.
        finance = await App.SignInAsync("finance"); // a new session: the first one ran out with the week that passed
        var file = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using (var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(App.Services, file, [2])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.onecard" },
        })
            (await finance.PostAsync($"/api/payments/batches/{batchId}/results", form)).EnsureSuccessStatusCode();
        await App.Services.GetRequiredService<CorrectionSweep>().RunAsync(default);
        var correctionId = (await finance.GetFromJsonAsync<JsonElement>($"/api/corrections?applicationId={id}")).EnumerateArray().Single().GetProperty("id").GetGuid();

        var batches = await SignInAsync("finance", "/finance/batches");
        await WaitUntilInteractiveAsync(batches, "Payment batches");
        await Assertions.Expect(batches.Locator("tr.ant-table-row", new() { HasText = batchNo })).ToContainTextAsync("Reconciled");
        await EnglishPages.AssertNoChineseAsync(batches, Output, "Payment batches", "Instructed amount", "First payment");

        var batchPage = await SignInAsync("finance", $"/finance/batches/{batchId}");
        await Assertions.Expect(batchPage.Locator("[data-balance]")).ToContainTextAsync("Balanced");
        await Assertions.Expect(batchPage.Locator("[data-imports]")).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(batchPage, Output, "Payment batch", "Failed (returned)", "Batch history", "Result imports");

        var allocate = await SignInAsync("finance", $"/finance/batches/{batchId}/allocate");
        await Assertions.Expect(allocate.Locator("[data-testid=candidate]").First).ToBeVisibleAsync();
        await Assertions.Expect(allocate.Locator("[data-testid=batch-status]")).ToHaveTextAsync("Reconciled");
        await EnglishPages.AssertNoChineseAsync(allocate, Output, "Allocate budget indicators", "Held by this batch", "(direct funds)");

        var indicators = await SignInAsync("finance", "/finance/indicators");
        await Assertions.Expect(indicators.Locator("[data-testid=indicator-doc]").First).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(indicators, Output, "Budget indicators", "Register a budget indicator", "Direct funds", "Central");

        var banks = await SignInAsync("finance", "/finance/banks");
        await banks.Locator("[data-testid=open-bank][data-bank=LNRCU]").ClickAsync();
        var detail = banks.Locator("[data-testid=bank-detail][data-bank=LNRCU]");
        await Assertions.Expect(detail.Locator("[data-testid=agreement-no]")).ToHaveTextAsync("FK-DF-2026-001");
        await EnglishPages.AssertNoChineseAsync(banks, Output, "Paying banks", "Competitive consultation", "Sign an agreement", "Active");

        var queue = await SignInAsync("finance", "/finance/corrections");
        await Assertions.Expect(queue.Locator("tr.ant-table-row").First).ToContainTextAsync("To verify");
        await EnglishPages.AssertNoChineseAsync(queue, Output, "Returned payments", "Create re-payment batches", "Bank's reason");

        var reconciliation = await SignInAsync("finance", $"/finance/reconciliation/{id}");
        await Assertions.Expect(reconciliation.Locator("[data-testid=case-balanced]")).ToHaveTextAsync("Balanced");
        await EnglishPages.AssertNoChineseAsync(reconciliation, Output, "Reconciliation", "By case", "In correction", "First payment");

        var correction = await SignInAsync("clerk", $"/corrections/{correctionId}");
        await Assertions.Expect(correction.Locator("[data-testid=correction-status]")).ToHaveTextAsync("To verify");
        await EnglishPages.AssertNoChineseAsync(correction, Output, "Returned payments", "Verify the correction", "Payment instructions", "Account history");
        await ShotAsync(correction, "correction-english.png");
    }
}
