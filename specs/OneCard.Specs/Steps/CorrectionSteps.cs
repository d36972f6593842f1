using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Payments;
using OneCard.Host.Payments;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>退票更正与再次支付: the correction case, the re-payment batch, reconciliation and payment notices.</summary>
[Binding]
public sealed class CorrectionSteps(ScenarioState state)
{
    private Guid correctionId;
    private Guid repaymentBatchId;

    [When(@"^退票更正巡检运行$")]
    public Task Sweep() => state.App.Services.GetRequiredService<CorrectionSweep>().RunAsync(default);

    [Then(@"^生成一件退票更正，处于""(.+)""环节，退票原因为""(.+)""$")]
    public async Task ThenOpened(string step, string reason)
    {
        var queue = await state.GetJson("finance", $"/api/corrections?applicationId={state.CaseId}");
        var item = Assert.Single(queue.EnumerateArray());
        correctionId = item.GetProperty("id").GetGuid();
        Assert.Equal(step, item.GetProperty("stepTitle").GetString());
        Assert.Equal(reason, item.GetProperty("bankReason").GetString());
    }

    [Then(@"^案件对账为：指令(\d+)笔，首次成功(\d+)笔，退票(\d+)笔，再次支付成功(\d+)笔，办结(\d+)笔，更正中(\d+)笔，对账平衡$")]
    public async Task ThenCaseReconciliation(int instructed, int paid, int failed, int repaid, int closed, int inCorrection)
    {
        var c = (await state.GetJson("finance", $"/api/payments/reconciliation?applicationId={state.CaseId}")).GetProperty("case");
        int Count(string name) => c.GetProperty(name).GetProperty("count").GetInt32();
        decimal Amount(string name) => c.GetProperty(name).GetProperty("amount").GetDecimal();
        Assert.Equal([instructed, paid, failed, repaid, closed, inCorrection],
            new[] { "instructed", "paid", "failed", "repaid", "closed", "inCorrection" }.Select(Count));
        Assert.Equal(Amount("instructed"), Amount("paid") + Amount("failed") + Amount("pending"));
        Assert.Equal(Amount("failed"), Amount("repaid") + Amount("closed") + Amount("inCorrection"));
        Assert.True(c.GetProperty("balanced").GetBoolean());
    }

    [When(@"^经办人 (\S+) 将该退票更正的账号改为""(\d+)""，说明为""(.+)""$")]
    public async Task Propose(string user, string account, string note)
    {
        var client = await state.As(user);
        using var response = await client.PostAsJsonAsync($"/api/corrections/{correctionId}/proposal", new { account, note });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Then(@"^退票更正处于""(.+)""环节$")]
    public async Task ThenStep(string step) =>
        Assert.Equal(step, (await state.GetJson("finance", $"/api/corrections/{correctionId}")).GetProperty("case").GetProperty("stepTitle").GetString());

    [Then(@"^" + Words.Who + @"(\S+) 不能复核通过该退票更正$")]
    public async Task ThenCannotApprove(string user)
    {
        using var response = await (await state.As(user)).PostAsJsonAsync($"/api/corrections/{correctionId}/actions/Approve", new { comment = (string?)null });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [When(@"^" + Words.Who + @"(\S+) 复核通过该退票更正$")]
    public async Task Approve(string user)
    {
        using var response = await (await state.As(user)).PostAsJsonAsync($"/api/corrections/{correctionId}/actions/Approve", new { comment = (string?)null });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Then(@"^退票更正处于""(.+)""环节，对象的当前账户为""(.+)""$")]
    public async Task ThenAwaiting(string step, string masked)
    {
        var detail = await state.GetJson("finance", $"/api/corrections/{correctionId}");
        Assert.Equal(step, detail.GetProperty("case").GetProperty("stepTitle").GetString());
        Assert.Equal(masked, detail.GetProperty("currentAccount").GetProperty("accountMasked").GetString());
    }

    [When(@"^财政生成再次支付批次$")]
    public async Task Repay()
    {
        var result = await state.PostOk("finance", "/api/payments/repayments", new { applicationId = state.CaseId });
        repaymentBatchId = Assert.Single(result!.Value.GetProperty("batches").EnumerateArray()).GetProperty("id").GetGuid();
    }

    [Then(@"^再次支付批次有(\d+)笔新指令：第(\d+)次支付，引用原第(\d+)笔指令，金额相同，账号为""(\d+)""$")]
    public async Task ThenRepaymentInstruction(int count, int attempt, int originalSeq, string account)
    {
        await using var scope = state.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Host.Platform.UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var instructions = await db.PaymentInstructions.Where(i => i.BatchId == repaymentBatchId).ToListAsync();
        Assert.Equal(count, instructions.Count);
        var repaid = instructions.Single();
        var original = await db.PaymentInstructions.SingleAsync(i => i.BatchId == state.BatchId && i.Seq == originalSeq);
        Assert.Equal(attempt, repaid.Attempt);
        Assert.Equal(original.Id, repaid.OriginalInstructionId);
        Assert.Equal(original.Amount, repaid.Amount);
        Assert.Equal(PaymentBatchKind.Repayment, (await db.PaymentBatches.SingleAsync(b => b.Id == repaymentBatchId)).Kind);
        Assert.Equal(account, scope.ServiceProvider.GetRequiredService<Domain.Privacy.PersonalDataProtector>().Decrypt(repaid.AccountCipher));
    }

    [When(@"^银行回盘再次支付批次全部成功$")]
    public async Task RepaymentPaid()
    {
        var finance = await state.As("finance");
        await BatchRelease.EnsureReleasedAsync(finance, repaymentBatchId);
        var file = await finance.GetByteArrayAsync($"/api/payments/batches/{repaymentBatchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(state.App.Services, file, [])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "回盘.onecard" },
        };
        using var response = await finance.PostAsync($"/api/payments/batches/{repaymentBatchId}/results", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Then(@"^每个批次对账平衡：指令 = 成功 \+ 失败 \+ 待回盘，笔数与金额均相符$")]
    public async Task ThenBatchesBalance()
    {
        var batches = (await state.GetJson("finance", $"/api/payments/reconciliation?applicationId={state.CaseId}")).GetProperty("batches").EnumerateArray().ToList();
        Assert.Equal(2, batches.Count);
        foreach (var b in batches)
        {
            (int, decimal) F(string n) => (b.GetProperty(n).GetProperty("count").GetInt32(), b.GetProperty(n).GetProperty("amount").GetDecimal());
            var (ic, ia) = F("instructed");
            var parts = new[] { F("paid"), F("failed"), F("pending") };
            Assert.Equal(ic, parts.Sum(p => p.Item1));
            Assert.Equal(ia, parts.Sum(p => p.Item2));
            Assert.True(b.GetProperty("balanced").GetBoolean());
        }
    }

    [Then(@"^每笔成功支付各有一条补贴信息告知写入发件箱，共(\d+)条$")]
    public async Task ThenNotices(int count)
    {
        await using var scope = state.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Host.Platform.UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var paid = await db.PaymentInstructions.Where(i => i.Status == PaymentStatus.Succeeded).Select(i => i.Id).OrderBy(i => i).ToListAsync();
        var noticed = await db.PaymentNotices.Select(n => n.InstructionId).OrderBy(i => i).ToListAsync();
        Assert.Equal(count, paid.Count);
        Assert.Equal(paid, noticed);
        Assert.Equal(count, await db.OutboxMessages.CountAsync(m => m.Recipient.StartsWith("beneficiary:") && m.Text.StartsWith("补贴信息告知")));
    }
}
