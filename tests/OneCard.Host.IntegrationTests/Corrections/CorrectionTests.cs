using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Notices;
using OneCard.Domain.Payments;
using OneCard.Host.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Corrections;

/// <summary>
/// Issue 8, item 5 and 7: a returned line (退票) is corrected by the township, checked by the county, paid again by a new
/// instruction that references the original, and reconciliation balances to the cent; the sweep opens, moves and notifies
/// exactly once. Every bank exchange goes through <see cref="PayAsync"/> (one place to adapt to the bank file format).
/// </summary>
public sealed class CorrectionTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private const string NewAccount = "6217000010012345678";

    /// <summary>The bank pays a released batch: downloads its file and imports results failing <paramref name="failSeq"/> (0: none).</summary>
    private async Task PayAsync(Guid batchId, int failSeq)
    {
        var finance = await driver.As("finance");
        await BatchRelease.EnsureReleasedAsync(finance, batchId);
        var file = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(app.Services, file, failSeq == 0 ? [] : [failSeq])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.onecard" },
        };
        var response = await finance.PostAsync($"/api/payments/batches/{batchId}/results", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<CorrectionSweep.Outcome> SweepAsync() => app.Services.GetRequiredService<CorrectionSweep>().RunAsync(default);

    /// <summary>A case paid by its first batch with line 2 returned by the bank, and the correction the sweep opened for it.</summary>
    private async Task<(Guid ApplicationId, Guid BatchId, Guid CorrectionId)> ReturnedLineAsync()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        await PayAsync(batchId, failSeq: 2);
        var outcome = await SweepAsync();
        Assert.Equal(1, outcome.Opened);
        var queue = await (await driver.As("finance")).GetFromJsonAsync<JsonElement>($"/api/corrections?applicationId={id}");
        return (id, batchId, queue.EnumerateArray().Single().GetProperty("id").GetGuid());
    }

    private async Task<JsonElement> CorrectionAsync(Guid id, string user = "finance") =>
        await (await driver.As(user)).GetFromJsonAsync<JsonElement>($"/api/corrections/{id}");

    private async Task<HttpResponseMessage> ProposeAsync(Guid id, string? account = NewAccount, string user = "clerk", string accountType = "BankCard") =>
        await (await driver.As(user)).PostAsJsonAsync($"/api/corrections/{id}/proposal",
            new { agentBankCode = "PSBC-LN", account, holderName = (string?)null, accountType, note = "已核实：原账户销户，更换为新卡" });

    private async Task<HttpResponseMessage> ActAsync(Guid id, string user, string action, string? comment = null) =>
        await (await driver.As(user)).PostAsJsonAsync($"/api/corrections/{id}/actions/{action}", new { comment });

    private async Task<JsonElement> RepayAsync(Guid applicationId)
    {
        var response = await (await driver.As("finance")).PostAsJsonAsync("/api/payments/repayments", new { applicationId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> ReconciliationAsync(Guid applicationId) =>
        await (await driver.As("finance")).GetFromJsonAsync<JsonElement>($"/api/payments/reconciliation?applicationId={applicationId}");

    private static (int Count, decimal Amount) Fig(JsonElement e, string name) =>
        (e.GetProperty(name).GetProperty("count").GetInt32(), e.GetProperty(name).GetProperty("amount").GetDecimal());

    [Fact]
    public async Task Correction_MainPath_CorrectsAccount_PaysAgainByNewInstruction_AndReconciliationBalancesToTheCent()
    {
        var (id, batchId, correctionId) = await ReturnedLineAsync();

        var opened = await CorrectionAsync(correctionId, "clerk");
        Assert.Equal("Verifying", opened.GetProperty("status").GetString());
        Assert.Equal("Verify", opened.GetProperty("case").GetProperty("step").GetString());
        Assert.Equal("账户已销户", opened.GetProperty("bankReason").GetString());
        Assert.Equal(1, opened.GetProperty("attempts").GetInt32());
        var before = await ReconciliationAsync(id);
        var caseFigures = before.GetProperty("case");
        // Claims.FiveLines: four eligible lines instructed (the fourth plot changed use), line 2 returned.
        Assert.Equal(4, Fig(caseFigures, "instructed").Count);
        Assert.Equal(3, Fig(caseFigures, "paid").Count);
        Assert.Equal(1, Fig(caseFigures, "failed").Count);
        Assert.Equal(1, Fig(caseFigures, "inCorrection").Count);
        Assert.True(caseFigures.GetProperty("balanced").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await ProposeAsync(correctionId)).StatusCode);
        // Maker-checker: the clerk may not check; the county reviewer approves.
        Assert.Equal(HttpStatusCode.Conflict, (await ActAsync(correctionId, "clerk", "Approve")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(correctionId, "reviewer", "Approve")).StatusCode);
        var approved = await CorrectionAsync(correctionId);
        Assert.Equal("AwaitingRepayment", approved.GetProperty("status").GetString());
        Assert.Equal("****5678", approved.GetProperty("currentAccount").GetProperty("accountMasked").GetString());
        Assert.Equal("Correction", approved.GetProperty("currentAccount").GetProperty("source").GetString());

        var repayment = await RepayAsync(id);
        var created = repayment.GetProperty("batches").EnumerateArray().Single();
        Assert.Equal(1, created.GetProperty("lineCount").GetInt32());
        var repaymentBatchId = created.GetProperty("id").GetGuid();
        // Nothing is paid twice: a second request finds nothing awaiting.
        var again = await (await driver.As("finance")).PostAsJsonAsync("/api/payments/repayments", new { applicationId = id });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("没有待再次支付", await again.Content.ReadAsStringAsync());

        var (original, repaid, newAccount) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var o = await db.PaymentInstructions.SingleAsync(i => i.BatchId == batchId && i.Seq == 2);
            var r = await db.PaymentInstructions.SingleAsync(i => i.BatchId == repaymentBatchId);
            var b = await db.PaymentBatches.SingleAsync(x => x.Id == repaymentBatchId);
            Assert.Equal(PaymentBatchKind.Repayment, b.Kind);
            return (o, r, sp.GetRequiredService<Domain.Privacy.PersonalDataProtector>().Decrypt(r.AccountCipher));
        });
        Assert.Equal(2, repaid.Attempt);
        Assert.Equal(original.Id, repaid.OriginalInstructionId);
        Assert.Equal(original.Amount, repaid.Amount);
        Assert.Equal(NewAccount, newAccount);

        await PayAsync(repaymentBatchId, failSeq: 0);
        var moved = await SweepAsync();
        Assert.Equal((0, 1, 1), (moved.Opened, moved.Moved, moved.Notices));
        var done = await CorrectionAsync(correctionId);
        Assert.Equal("Repaid", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("case").GetProperty("isFinal").GetBoolean());

        var after = (await ReconciliationAsync(id)).GetProperty("case");
        Assert.Equal(4, Fig(after, "instructed").Count);
        Assert.Equal(Fig(after, "instructed").Amount, Fig(after, "paid").Amount + Fig(after, "repaid").Amount);
        Assert.Equal((1, original.Amount), Fig(after, "repaid"));
        Assert.Equal(0, Fig(after, "outstanding").Count);
        Assert.True(after.GetProperty("balanced").GetBoolean());
        Assert.All((await ReconciliationAsync(id)).GetProperty("batches").EnumerateArray(), b => Assert.True(b.GetProperty("balanced").GetBoolean()));

        var (line, accounts, corrected) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var l = await db.ClaimLines.SingleAsync(x => x.Id == original.ClaimLineId);
            return (l, await db.BeneficiaryAccounts.CountAsync(a => a.BeneficiaryId == original.BeneficiaryId && a.ValidTo == null),
                await db.AuditLog.CountAsync(a => a.Action == "BeneficiaryAccountCorrected" && a.EntityId == correctionId.ToString()));
        });
        Assert.Equal(LineOutcome.Paid, line.Outcome);
        Assert.Equal(1, accounts);
        Assert.Equal(1, corrected);
    }

    [Fact]
    public async Task Sweep_OpensOneCorrectionAndOneNoticePerPaidLine_WhenRunTwiceAndConcurrently()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        await PayAsync(batchId, failSeq: 3);

        var outcomes = await Task.WhenAll(SweepAsync(), SweepAsync(), SweepAsync());
        var rerun = await SweepAsync();

        Assert.Equal(1, outcomes.Sum(o => o.Opened));
        Assert.Equal(3, outcomes.Sum(o => o.Notices)); // four lines instructed, one returned
        Assert.Equal((0, 0, 0), (rerun.Opened, rerun.Moved, rerun.Notices));
        var (corrections, cases, notices, messages, texts) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.PaymentCorrections.CountAsync(), await db.WorkflowInstances.CountAsync(i => i.SubjectKind == "PaymentCorrection"),
                await db.PaymentNotices.CountAsync(), await db.OutboxMessages.CountAsync(m => m.Recipient.StartsWith("beneficiary:")),
                await db.OutboxMessages.Where(m => m.Recipient.StartsWith("beneficiary:")).Select(m => m.Text).ToListAsync());
        });
        Assert.Equal((1, 1, 3, 3), (corrections, cases, notices, messages));
        // 补贴信息告知: policy, period, amount, bank and the masked account only.
        Assert.All(texts, t => Assert.Matches(@"^补贴信息告知：您的.+（2026期）补贴 [\d,]+\.\d\d 元已于 \d{4}-\d\d-\d\d 由.+发放至账户 \*{4}\d{4}，请注意查收。$", t));
    }

    [Fact]
    public async Task Correction_ReturnedAgain_ComesBackToTheClerkWithAttemptCounted_ThenClosesWithItsReason()
    {
        var (id, _, correctionId) = await ReturnedLineAsync();
        await ProposeAsync(correctionId);
        await ActAsync(correctionId, "reviewer", "Approve");
        var batchId = (await RepayAsync(id)).GetProperty("batches").EnumerateArray().Single().GetProperty("id").GetGuid();
        await PayAsync(batchId, failSeq: 1);
        Assert.Equal(1, (await SweepAsync()).Moved);

        var back = await CorrectionAsync(correctionId, "clerk");
        Assert.Equal("Verify", back.GetProperty("case").GetProperty("step").GetString());
        Assert.Equal(2, back.GetProperty("attempts").GetInt32());
        Assert.Equal(2, back.GetProperty("instructions").GetArrayLength());
        // A returned re-payment opens no second correction: the one correction follows the line.
        Assert.Equal(0, (await SweepAsync()).Opened);

        var noReason = await ActAsync(correctionId, "clerk", "Close");
        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(correctionId, "clerk", "Close", "受益人已死亡，按规定停发")).StatusCode);
        var closed = await CorrectionAsync(correctionId);
        Assert.Equal("Closed", closed.GetProperty("status").GetString());
        Assert.Equal("受益人已死亡，按规定停发", closed.GetProperty("closedReason").GetString());

        var figures = (await ReconciliationAsync(id)).GetProperty("case");
        Assert.Equal(1, Fig(figures, "closed").Count);
        Assert.Equal(0, Fig(figures, "outstanding").Count);
        Assert.Equal(Fig(figures, "instructed").Amount, Fig(figures, "paid").Amount + Fig(figures, "closed").Amount);
        Assert.True(figures.GetProperty("balanced").GetBoolean());
        var reason = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var c = await db.PaymentCorrections.SingleAsync(x => x.Id == correctionId);
            return (await db.ClaimLines.SingleAsync(l => l.Id == c.ClaimLineId)).ReasonZh;
        });
        Assert.Equal("退票无法支付，已办结：受益人已死亡，按规定停发", reason);
    }

    [Fact]
    public async Task Proposal_WithAnInvalidAccountOrAccountType_IsRefusedWithTheFieldAndReason_AndChangesNothing()
    {
        var (_, _, correctionId) = await ReturnedLineAsync();

        var response = await ProposeAsync(correctionId, account: "62170A");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("新账号：银行账号只能包含数字", problem.GetProperty("title").GetString());
        // An account type is named, never numbered: "9" is no member (Enum.TryParse alone would have stored it).
        foreach (var type in new[] { "9", "0", "BankCard, SocialSecurityCard" })
        {
            var refused = await ProposeAsync(correctionId, accountType: type);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("AccountTypeUnknown", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        var still = await CorrectionAsync(correctionId, "clerk");
        Assert.Equal("Verifying", still.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, still.GetProperty("proposedAt").ValueKind);
        Assert.Equal("Verify", still.GetProperty("case").GetProperty("step").GetString());
    }

    [Fact]
    public async Task Repayment_RequestedTwiceConcurrently_CreatesOneBatchAndOneInstruction()
    {
        var (id, _, correctionId) = await ReturnedLineAsync();
        await ProposeAsync(correctionId);
        await ActAsync(correctionId, "reviewer", "Approve");
        var clients = new[] { await app.SignInAsync("finance"), await app.SignInAsync("finance") };
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = clients.Select(c => Task.Run(async () => { await gate.Task; return await c.PostAsJsonAsync("/api/payments/repayments", new { applicationId = id }); })).ToList();
        gate.SetResult();
        var responses = await Task.WhenAll(posts).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var (batches, repayments) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.PaymentBatches.CountAsync(b => b.Kind == PaymentBatchKind.Repayment), await db.PaymentInstructions.CountAsync(i => i.OriginalInstructionId != null));
        });
        Assert.Equal((1, 1), (batches, repayments));
    }
}
