using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Host.Payments;
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

    private async Task<HttpResponseMessage> ImportAsync(Guid batchId, byte[] file)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.bank" } };
        return await (await driver.As("finance")).PostAsync($"/api/payments/batches/{batchId}/results", form);
    }

    private Task<byte[]> ResultsFor(byte[] bankFile, int failSeq) => Host.Demo.DemoBank.RespondAsync(app.Services, bankFile, [failSeq]);

    private static async Task<List<(int Row, string Field, string Code)>> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!)).ToList();
    }

    /// <summary>A case driven to Payment and its one batch, ready for the bank: the case id, the batch as listed, its id and number.</summary>
    private async Task<(Guid Id, JsonElement Batch, Guid BatchId, string BatchNo)> PaymentBatchAsync()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = (await driver.ReadyBatchesAsync(id)).Single();
        return (id, batch, batch.GetProperty("id").GetGuid(), batch.GetProperty("batchNo").GetString()!);
    }

    /// <summary>The batch's agreement keys and format, as the bank holds them.</summary>
    private Task<(BankFileKeys Keys, BankFileFormat Format, string AgreementNo)> BankSideAsync(Guid batchId) => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var batch = await db.PaymentBatches.AsNoTracking().SingleAsync(b => b.Id == batchId);
        var agreement = await db.BankAgreements.AsNoTracking().SingleAsync(a => a.Id == batch.AgreementId);
        return (BankFileKeys.For(agreement, sp.GetRequiredService<PersonalDataProtector>()), sp.GetRequiredService<BankFormatCatalog>().Get(agreement.FileFormat), agreement.AgreementNo);
    });

    /// <summary>A result file sealed with the agreement's keys whose clear CSV and header are exactly as given.</summary>
    private async Task<byte[]> SealedResultsAsync(Guid batchId, string batchNo, string csv, int lines, decimal total, string? headerBatchNo = null)
    {
        var (keys, format, agreementNo) = await BankSideAsync(batchId);
        using var output = new MemoryStream();
        using (var sealedStream = BankFileEnvelope.OpenWrite(output, new BankEnvelopeHeader(BankEnvelopeHeader.Results, headerBatchNo ?? batchNo, agreementNo, keys.KeyVersion, format.Code, lines, total), keys))
            sealedStream.Write(Encoding.UTF8.GetBytes(csv));
        return output.ToArray();
    }

    [Fact]
    public async Task BankFile_IsSealedPerAgreement_AndOpensToEveryPayableLineWithFullAccount()
    {
        var id = await driver.DriveToAsync("Payment");
        var batch = (await driver.ReadyBatchesAsync(id)).Single();
        var batchId = batch.GetProperty("id").GetGuid();
        var first = await BankFileAsync(batchId);
        var second = await BankFileAsync(batchId);

        // A fresh IV each time: the bytes differ, the content does not; the clear header names batch, agreement and key version.
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(second));
        var head = Encoding.UTF8.GetString(first, 0, 400);
        Assert.StartsWith("ONECARD-BANKFILE/1\nkind: instructions\nbatch: " + batch.GetProperty("batchNo").GetString() + "\nagreement: SY-DF-2026-001\nkey-version: 1\nformat: onecard-csv-v1\n", head);
        Assert.DoesNotContain("6217991234567890123", Encoding.UTF8.GetString(first));
        var clear = await Host.Demo.DemoBank.OpenAsync(app.Services, first);
        Assert.Equal(clear, await Host.Demo.DemoBank.OpenAsync(app.Services, second));

        var rows = clear.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("批次号,序号,户名,账号,金额,补贴项目,期次", rows[0]);
        Assert.Equal(4, rows.Length - 1); // 5 lines, one converted plot is ineligible
        Assert.All(rows.Skip(1), r => Assert.Contains(",6217991234567890123,", r));
        Assert.Equal(batch.GetProperty("totalAmount").GetDecimal(), rows.Skip(1).Sum(r => decimal.Parse(r.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task BankFile_OfABatchNotReleased_IsRefusedWith409()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PaymentBatches.Where(b => b.Id == batchId)
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.ReleasedAt, (DateTimeOffset?)null)));

        var response = await (await driver.As("finance")).GetAsync($"/api/payments/batches/{batchId}/bank-file");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("BatchNotReleased", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.Contains("尚未下达银行", body);
    }

    [Fact]
    public async Task Results_Reconcile_AndPublish_WithTheFailedLineReturned()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        var response = await ImportAsync(batchId, await ResultsFor(await BankFileAsync(batchId), failSeq: 2));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
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
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        var file = await ResultsFor(await BankFileAsync(batchId), failSeq: 1);
        (await ImportAsync(batchId, file)).EnsureSuccessStatusCode();
        var before = await SnapshotAsync();
        var again = await ImportAsync(batchId, file);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var summary = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, summary.GetProperty("applied").GetInt32());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Results_ThatContradictRecordedOnes_AreRefusedWhole()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        var file = await BankFileAsync(batchId);
        (await ImportAsync(batchId, await ResultsFor(file, failSeq: 1))).EnsureSuccessStatusCode();
        var before = await SnapshotAsync();
        var conflicting = await ImportAsync(batchId, await ResultsFor(file, failSeq: 2)); // seq 1 now 成功, seq 2 now 失败
        Assert.Equal([(2, "结果", "ResultConflict"), (3, "结果", "ResultConflict")], await ErrorsAsync(conflicting)); // rows of the file: header = 1, seq 1 = row 2
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Results_WithABadSignature_AreRefusedWhole_AndChangeNothing()
    {
        var id = await driver.DriveToAsync("Payment");
        var batchId = (await driver.ReadyBatchesAsync(id)).Single().GetProperty("id").GetGuid();
        var instructions = await BankFileAsync(batchId);
        var results = await ResultsFor(instructions, failSeq: 2);
        var before = await SnapshotAsync();

        // One bit of the ciphertext flipped, then one of the MAC: each refused whole, located at the signature.
        var tampered = (byte[])results.Clone();
        tampered[^40] ^= 0x01;
        Assert.Equal([(0, "签名", "ResultSignatureInvalid")], await ErrorsAsync(await ImportAsync(batchId, tampered)));
        var badMac = (byte[])results.Clone();
        badMac[^1] ^= 0x80;
        Assert.Equal([(0, "签名", "ResultSignatureInvalid")], await ErrorsAsync(await ImportAsync(batchId, badMac)));
        // Signed with another key of the right length.
        var (keys, format, _) = await BankSideAsync(batchId);
        using var other = new MemoryStream();
        using (var instructionStream = new MemoryStream(instructions))
            Host.Demo.DemoBank.Respond(instructionStream, other, keys, format, _ => false);
        var forged = other.ToArray();
        var otherKeys = keys with { SigningKey = RandomNumberGenerator.GetBytes(32) };
        using (var reSigned = new MemoryStream())
        using (var src = new MemoryStream(forged))
        {
            var (header, _, _) = BankFileEnvelope.ReadHeader(src);
            using (var w = BankFileEnvelope.OpenWrite(reSigned, header, otherKeys))
                w.Write(Encoding.UTF8.GetBytes(await Host.Demo.DemoBank.OpenAsync(app.Services, forged)));
            Assert.Equal([(0, "签名", "ResultSignatureInvalid")], await ErrorsAsync(await ImportAsync(batchId, reSigned.ToArray())));
        }

        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal("Payment", await driver.StepAsync(id));
    }

    [Fact]
    public async Task Results_ThatArePlainCsv_OrOfAnotherBatch_OrWhoseTotalsContradict_AreRefusedWhole()
    {
        var (id, batch, batchId, batchNo) = await PaymentBatchAsync();
        var clear = await Host.Demo.DemoBank.OpenAsync(app.Services, await ResultsFor(await BankFileAsync(batchId), failSeq: 0));
        var total = batch.GetProperty("totalAmount").GetDecimal();
        var before = await SnapshotAsync();

        Assert.Equal([(0, "文件头", "EnvelopeInvalid")], await ErrorsAsync(await ImportAsync(batchId, Encoding.UTF8.GetBytes(clear))));
        Assert.Equal([(0, "文件头 batch", "BatchUnknown")], await ErrorsAsync(await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, clear, 4, total, headerBatchNo: "PB-2026-210124-PSBC-LN-9999"))));
        Assert.Equal([(0, "文件头 total", "AmountMismatch")], await ErrorsAsync(await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, clear, 4, total + 0.01m))));
        Assert.Equal([(0, "文件头 lines", "LineCountMismatch")], await ErrorsAsync(await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, clear, 5, total))));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Results_WithWrongAmountOrUnknownLine_AreRefusedWithLocatedErrors()
    {
        var (id, batch, batchId, batchNo) = await PaymentBatchAsync();
        var csv = $"批次号,序号,金额,结果,说明\r\n{batchNo},1,0.01,成功,\r\n{batchNo},99,1.00,成功,\r\nPB-OTHER,2,1.00,成功,\r\n{batchNo},3,=1+1,成功,\r\n";
        var errors = await ErrorsAsync(await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, csv, 4, 2.01m)));
        Assert.Equal([(2, "金额", "AmountMismatch"), (3, "序号", "SeqUnknown"), (4, "批次号", "BatchUnknown"), (5, "金额", "AmountMismatch")], errors);
        Assert.Equal(batch.GetProperty("pending").GetInt32(), (await driver.BatchAsync(id)).GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Results_WithThousandsOfBadLines_AreRefusedWithEveryErrorCounted_TheFirstOnesListed_AndLongCellsShortened()
    {
        var (id, batch, batchId, batchNo) = await PaymentBatchAsync();
        // Row 2 names a 10,000-character batch number; rows 3 to 5,002 name sequence numbers the batch does not have.
        var csv = new StringBuilder("批次号,序号,金额,结果,说明\r\n").Append(new string('X', 10_000)).Append(",1,1.00,成功,\r\n");
        for (var n = 0; n < 5_000; n++) csv.Append(batchNo).Append(",9").Append(n.ToString("D5", CultureInfo.InvariantCulture)).Append(",1.00,成功,\r\n");

        var response = await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, csv.ToString(), 5_001, 5_001m));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!)).ToList();
        Assert.Equal(5_001, problem.GetProperty("errorCount").GetInt32());
        Assert.StartsWith("回盘文件被拒收：共5001处错误", problem.GetProperty("title").GetString());
        Assert.Equal(BankFiles.ErrorsShown, errors.Count);
        Assert.Equal((2, "批次号", "BatchUnknown"), errors[0]);
        Assert.Equal((3, "序号", "SeqUnknown"), errors[1]);
        var message = problem.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains("XXXXXXXXXXXXXXXXXXXXXXXX…", message);
        Assert.True(message.Length < 100, message);
        Assert.Equal(batch.GetProperty("pending").GetInt32(), (await driver.BatchAsync(id)).GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Results_WithAmountsPastWhatAnyLineHolds_AreRefusedAsLocatedMismatches_NotAnOverflow()
    {
        var (id, batch, batchId, batchNo) = await PaymentBatchAsync();
        // Two amounts of decimal's largest value: their sum would overflow the file's total.
        var csv = $"批次号,序号,金额,结果,说明\r\n{batchNo},1,{decimal.MaxValue},成功,\r\n{batchNo},2,{decimal.MaxValue},成功,\r\n";

        var errors = await ErrorsAsync(await ImportAsync(batchId, await SealedResultsAsync(batchId, batchNo, csv, 2, 0m)));

        Assert.Equal([(2, "金额", "AmountMismatch"), (3, "金额", "AmountMismatch")], errors);
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
