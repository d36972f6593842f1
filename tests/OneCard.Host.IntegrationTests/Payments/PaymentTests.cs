using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Payments;

/// <summary>Guarantees 1 and 2: nobody is paid twice; every instruction ends terminal and batches reconcile.</summary>
public sealed class PaymentTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<byte[]> BankFileAsync(Guid batchId) =>
        await (await driver.As("finance")).GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");

    private async Task<HttpResponseMessage> ImportAsync(Guid batchId, string csv)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "results.csv" } };
        return await (await driver.As("finance")).PostAsync($"/api/payments/batches/{batchId}/results", form);
    }

    private static string ResultsFor(byte[] bankFile, int failSeq) => Encoding.UTF8.GetString(Host.Demo.DemoData.BankResultsFor(bankFile, failSeq));

    [Fact]
    public async Task BankFile_IsDeterministic_AndListsEveryPayableLineWithFullAccount()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = await driver.BatchAsync(id);
        var batchId = batch.GetProperty("id").GetGuid();
        var first = await BankFileAsync(batchId);
        var second = await BankFileAsync(batchId);
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        var rows = Encoding.UTF8.GetString(first).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("批次号,序号,户名,账号,金额,补贴项目,期次", rows[0]);
        Assert.Equal(4, rows.Length - 1); // 5 lines, one converted plot is ineligible
        Assert.All(rows.Skip(1), r => Assert.Contains(",6217991234567890123,", r));
        Assert.Equal(batch.GetProperty("totalAmount").GetDecimal(), rows.Skip(1).Sum(r => decimal.Parse(r.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Results_Reconcile_AndPublish_WithTheFailedLineReturned()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var response = await ImportAsync(batchId, ResultsFor(await BankFileAsync(batchId), failSeq: 2));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Publicized", await driver.StepAsync(id));

        var batch = await driver.BatchAsync(id);
        Assert.Equal("Reconciled", batch.GetProperty("status").GetString());
        Assert.Equal(3, batch.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, batch.GetProperty("failed").GetInt32());
        Assert.Equal(0, batch.GetProperty("pending").GetInt32());
        Assert.Equal(batch.GetProperty("totalAmount").GetDecimal(), batch.GetProperty("succeededAmount").GetDecimal() + batch.GetProperty("failedAmount").GetDecimal());

        var lines = (await driver.GetAsync(id)).GetProperty("lines").EnumerateArray().ToList();
        var failed = Assert.Single(lines, l => l.GetProperty("outcome").GetString() == "Failed");
        Assert.Contains("账户已销户", failed.GetProperty("reasonZh").GetString());
        Assert.All(lines, l => Assert.Contains(l.GetProperty("outcome").GetString(), new[] { "Paid", "Failed", "Ineligible", "Rejected" }));
    }

    [Fact]
    public async Task Results_ImportedTwice_ChangeNothingTheSecondTime()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var csv = ResultsFor(await BankFileAsync(batchId), failSeq: 1);
        (await ImportAsync(batchId, csv)).EnsureSuccessStatusCode();
        var before = await SnapshotAsync();
        var again = await ImportAsync(batchId, csv);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var summary = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, summary.GetProperty("applied").GetInt32());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Results_ThatContradictRecordedOnes_AreRefusedWhole()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.BatchAsync(id)).GetProperty("id").GetGuid();
        var file = await BankFileAsync(batchId);
        (await ImportAsync(batchId, ResultsFor(file, failSeq: 1))).EnsureSuccessStatusCode();
        var before = await SnapshotAsync();
        var conflicting = await ImportAsync(batchId, ResultsFor(file, failSeq: 2)); // seq 1 now 成功, seq 2 now 失败
        Assert.Equal(HttpStatusCode.UnprocessableEntity, conflicting.StatusCode);
        var codes = (await conflicting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Equal(["ResultConflict", "ResultConflict"], codes);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Results_WithWrongAmountOrUnknownLine_AreRefusedWithLocatedErrors()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = await driver.BatchAsync(id);
        var batchNo = batch.GetProperty("batchNo").GetString();
        var response = await ImportAsync(batch.GetProperty("id").GetGuid(), $"批次号,序号,金额,结果,说明\n{batchNo},1,0.01,成功,\n{batchNo},99,1.00,成功,\nPB-OTHER,2,1.00,成功,\n");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal([(2, "金额", "AmountMismatch"), (3, "序号", "SeqUnknown"), (4, "批次号", "BatchMismatch")], errors);
        Assert.Equal(batch.GetProperty("pending").GetInt32(), (await driver.BatchAsync(id)).GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task SecondApplication_ForTheSamePeopleAndPeriod_PaysNobodyTwice()
    {
        var first = await driver.DriveToAsync("Payment");
        var second = await driver.DriveToAsync("Payment");
        Assert.Empty((await (await driver.As("finance")).GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={second}")).EnumerateArray());
        var lines = (await driver.GetAsync(second)).GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("outcome").GetString() == "Rejected").ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Contains("重复发放", l.GetProperty("reasonZh").GetString()));
        Assert.Equal("Publicized", await driver.StepAsync(second)); // nothing to pay: the payment step closes itself
        _ = first;
    }

    [Fact]
    public async Task Database_RefusesASecondLiveInstruction_ForOneBeneficiaryPolicyAndPeriod()
    {
        var id = await driver.DriveToAsync("Payment");
        var ex = await Assert.ThrowsAnyAsync<DbUpdateException>(() => app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var existing = await db.PaymentInstructions.AsNoTracking().FirstAsync();
            var batch = await db.PaymentBatches.AsNoTracking().FirstAsync();
            db.PaymentInstructions.Add(new PaymentInstruction
            {
                Id = Guid.CreateVersion7(), BatchId = batch.Id, Seq = 1000, ClaimLineId = existing.ClaimLineId, BeneficiaryId = existing.BeneficiaryId,
                RegionCode = existing.RegionCode, PolicyCode = existing.PolicyCode, Period = existing.Period, Amount = existing.Amount,
                PayeeName = existing.PayeeName, AccountCipher = existing.AccountCipher, AccountMasked = existing.AccountMasked, Status = PaymentStatus.Pending,
            });
            return await db.SaveChangesAsync();
        }));
        Assert.Contains("UX_PaymentInstructions_OnePaymentPerPolicyPeriod", ex.InnerException?.Message);
        _ = id;
    }

    private Task<string> SnapshotAsync() => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var instructions = await db.PaymentInstructions.AsNoTracking().OrderBy(i => i.Seq).Select(i => $"{i.Seq}:{i.Status}:{i.BankMessage}:{i.ResultAt}").ToListAsync();
        var lines = await db.ClaimLines.AsNoTracking().OrderBy(l => l.LineNo).Select(l => $"{l.LineNo}:{l.Outcome}").ToListAsync();
        var audit = await db.AuditLog.CountAsync();
        return string.Join("|", instructions) + "#" + string.Join("|", lines) + "#" + audit;
    });
}
