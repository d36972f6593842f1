using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Banks;

/// <summary>
/// One-card accounts recorded from submissions (with history), and payment batches made per agent bank and region, each
/// under the agreement that covers it.
/// </summary>
public sealed class AccountsAndBatchesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static readonly string Zhang = Claims.Id("21012419800101123"), Li = Claims.Id("21012419750505123"), Wang = Claims.Id("21012419660303456"),
        Zhao = Claims.Id("21012419881224333");

    private static object Line(string name, string id, string bank, string account = Claims.Account, string? accountType = null, decimal area = 10m) => new
    {
        name, idNumber = id, regionCode = "210124101", bankAccount = account, bankName = bank, accountType,
        facts = new Dictionary<string, object> { ["AreaMu"] = area, ["LandConverted"] = false },
    };

    private Task<List<BeneficiaryAccount>> AccountsAsync() => app.AsSystemAsync(async sp =>
        await sp.GetRequiredService<OneCardDbContext>().BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking().OrderBy(a => a.ValidFrom).ToListAsync());

    [Fact]
    public async Task Submission_RecordsEachOneCardAccount_MatchesTheBankByAlias_AndAChangedAccountClosesTheOldOneIntoHistory()
    {
        await driver.SubmitAsync([
            Line("张三", Zhang, "邮储银行法库县支行"),
            Line("李四", Li, "辽宁农信", account: "6228480000000000017", accountType: "社保卡"),
        ]);
        var first = await AccountsAsync();
        Assert.Equal(2, first.Count);
        Assert.All(first, a => Assert.Null(a.ValidTo));
        Assert.Contains(first, a => a.HolderName == "张三" && a.AgentBankCode == "PSBC-LN" && a.Type == AccountType.BankCard && a.Source == "Roster");
        Assert.Contains(first, a => a.HolderName == "李四" && a.AgentBankCode == "LNRCU" && a.Type == AccountType.SocialSecurityCard);

        app.Clock.Advance(TimeSpan.FromDays(1));
        // The same account again for 张三 (no history); a new account for 李四 at the other bank.
        var second = await driver.SubmitAsync([
            Line("张三", Zhang, "中国邮政储蓄银行"),
            Line("李四", Li, "邮储", account: "6217990000000000042"),
        ]);
        var all = await AccountsAsync();
        Assert.Equal(3, all.Count);
        var li = all.Where(a => a.HolderName == "李四").ToList();
        Assert.Equal(2, li.Count);
        Assert.NotNull(li[0].ValidTo);
        Assert.Null(li[1].ValidTo);
        Assert.Equal(("PSBC-LN", AccountType.BankCard), (li[1].AgentBankCode, li[1].Type));
        // The beneficiary's own account columns stay equal to the current account.
        var masked = await app.AsSystemAsync(async sp => await sp.GetRequiredService<OneCardDbContext>().Beneficiaries.IgnoreQueryFilters()
            .Where(b => b.Id == li[1].BeneficiaryId).Select(b => b.BankAccountMasked).SingleAsync());
        Assert.Equal(li[1].AccountMasked, masked);

        var lineNo = (await driver.GetAsync(second)).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "李四").GetProperty("lineNo").GetInt32();
        var history = await (await driver.As("reviewer")).GetFromJsonAsync<JsonElement>($"/api/applications/{second}/lines/{lineNo}/accounts");
        var rows = history.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.True(rows[0].GetProperty("current").GetBoolean());
        Assert.Equal(("银行卡", "社保卡"), (rows[0].GetProperty("typeZh").GetString(), rows[1].GetProperty("typeZh").GetString()));
        Assert.DoesNotContain("6217990000000000042", history.ToString());
        Assert.Contains("*", rows[0].GetProperty("accountMasked").GetString());
    }

    [Fact]
    public async Task Submission_IsRefused_WithTheRowAndField_WhenTheAccountTypeIsUnknown()
    {
        var response = await (await driver.As("clerk")).PostAsJsonAsync("/api/applications", new
        {
            policyCode = "arable-land-protection", period = "2026",
            lines = new[] { Line("张三", Zhang, "邮储"), Line("李四", Li, "邮储", accountType: "信用卡") },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Single();
        Assert.Equal((2, "账户类型", "AccountTypeInvalid"), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.Empty(await AccountsAsync());
    }

    [Fact]
    public async Task Payment_MakesOneBatchPerAgentBank_EachWithItsCoveringAgreement_AndRejectsALineOfAnUnknownBankWithItsName()
    {
        var id = await driver.DriveToAsync("Payment", [
            Line("张三", Zhang, "邮储银行法库县支行", area: 10m),
            Line("李四", Li, "辽宁农信法库县联社", account: "6228480000000000017", accountType: "社保卡", area: 5m),
            Line("王五", Wang, "中国邮政储蓄银行", area: 2m),
            Line("赵六", Zhao, "某某村镇银行", area: 3m),
        ]);
        var batches = (await driver.ReadyBatchesAsync(id)).OrderBy(b => b.GetProperty("agentBankCode").GetString()).ToList();
        Assert.Equal(["LNRCU", "PSBC-LN"], batches.Select(b => b.GetProperty("agentBankCode").GetString()));
        Assert.Equal(["PB-2026-210124101-LNRCU-0001", "PB-2026-210124101-PSBC-LN-0001"], batches.Select(b => b.GetProperty("batchNo").GetString()));
        Assert.Equal([1, 2], batches.Select(b => b.GetProperty("lineCount").GetInt32()));

        var stored = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return await db.PaymentBatches.IgnoreQueryFilters().AsNoTracking().Include(b => b.Instructions).Where(b => b.ApplicationId == id)
                .Join(db.BankAgreements, b => b.AgreementId, a => a.Id, (b, a) => new { b.AgentBankCode, a.AgreementNo, b.Instructions }).ToListAsync();
        });
        Assert.Equal("FK-DF-2026-001", stored.Single(b => b.AgentBankCode == "LNRCU").AgreementNo);
        Assert.Equal("SY-DF-2026-001", stored.Single(b => b.AgentBankCode == "PSBC-LN").AgreementNo);
        var li = stored.Single(b => b.AgentBankCode == "LNRCU").Instructions.Single();
        Assert.Equal(("李四", AccountType.SocialSecurityCard, "LNRCU"), (li.PayeeName, li.AccountType, li.AgentBankCode));

        var zhao = (await driver.GetAsync(id)).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "赵六");
        Assert.Equal("Rejected", zhao.GetProperty("outcome").GetString());
        Assert.Contains("“某某村镇银行”不是登记的代发银行", zhao.GetProperty("reasonZh").GetString());
    }

    [Fact]
    public async Task Payment_RejectsTheLinesOfABankWhoseAgreementWasTerminated_AndPaysTheOthers()
    {
        var lnrcu = await (await driver.As("finance")).GetFromJsonAsync<JsonElement>("/api/banks/LNRCU");
        var agreement = lnrcu.GetProperty("agreements").EnumerateArray().Single().GetProperty("id").GetGuid();
        (await (await driver.As("finance")).PostAsJsonAsync($"/api/banks/agreements/{agreement}/terminate", new { reason = "协议到期不再续签" })).EnsureSuccessStatusCode();

        var id = await driver.DriveToAsync("Payment", [Line("张三", Zhang, "邮储"), Line("李四", Li, "辽宁农信")]);
        var batch = Assert.Single(await driver.ReadyBatchesAsync(id));
        Assert.Equal("PSBC-LN", batch.GetProperty("agentBankCode").GetString());
        var li = (await driver.GetAsync(id)).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "李四");
        Assert.Equal("Rejected", li.GetProperty("outcome").GetString());
        Assert.Contains("没有覆盖本政策", li.GetProperty("reasonZh").GetString());
        Assert.Contains("LNRCU", li.GetProperty("reasonZh").GetString());
    }
}
