using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Banks;

/// <summary>The agent bank registry (代发银行登记): selections, agreements with sealed server-side keys, contacts, scope and audit.</summary>
public sealed class BankRegistryTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string user, string url, object body)
    {
        var response = await (await driver.As(user)).PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static object Agreement(string number, string region = "210124", string from = "2026-01-01", string to = "2026-12-31", string[]? policies = null) => new
    {
        agreementNo = number, regionCode = region, signedOn = "2025-12-30", validFrom = from, validTo = to, policyCodes = policies ?? [],
        feeTerms = "财政承担", serviceTerms = "足额代发\n到账告知", fileFormat = "onecard-csv-v1", confirmWithinWorkingDays = 3,
    };

    private async Task RegisterTestBankAsync()
    {
        var (status, body) = await PostAsync("finance", "/api/banks", new { code = "ICBC-FK", nameZh = "中国工商银行法库支行", nameEn = "ICBC Faku", aliases = new[] { "工商银行", "工行" } });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/selections",
            new { regionCode = "210124", selectedOn = "2025-12-01", method = "PublicTender", documentNo = "法财采〔2025〕30号", note = "测试" });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("公开招标", body.GetProperty("methodZh").GetString());
    }

    [Fact]
    public async Task Agreement_GetsSealedKeysGeneratedByTheServer_RotatesToVersionTwo_AndTerminatesWithAReason_AllAudited()
    {
        await RegisterTestBankAsync();
        var (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-001"));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(1, body.GetProperty("keyVersion").GetInt32());
        // Keys are never shown: no property of the answer carries one.
        Assert.DoesNotContain(body.EnumerateObject(), p => p.Name.Contains("key", StringComparison.OrdinalIgnoreCase) && p.Name != "keyVersion");

        var (enc1, sig1) = await KeysAsync(id);
        Assert.Equal(16, enc1.Length);
        Assert.Equal(32, sig1.Length);

        (status, body) = await PostAsync("finance", $"/api/banks/agreements/{id}/rotate-keys", new { });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("keyVersion").GetInt32());
        var (enc2, sig2) = await KeysAsync(id);
        Assert.NotEqual(enc1, enc2);
        Assert.NotEqual(sig1, sig2);

        (status, body) = await PostAsync("finance", $"/api/banks/agreements/{id}/terminate", new { reason = "" });
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "FieldMissing"), (status, body.GetProperty("code").GetString()));
        Assert.Contains("【终止原因】", body.GetProperty("title").GetString());
        (status, body) = await PostAsync("finance", $"/api/banks/agreements/{id}/terminate", new { reason = "银行撤并网点" });
        Assert.Equal("Terminated", body.GetProperty("status").GetString());
        (status, body) = await PostAsync("finance", $"/api/banks/agreements/{id}/rotate-keys", new { });
        Assert.Equal((HttpStatusCode.Conflict, "AgreementTerminated"), (status, body.GetProperty("code").GetString()));

        var actions = await app.AsSystemAsync(async sp => await sp.GetRequiredService<OneCardDbContext>().AuditLog
            .Where(a => a.EntityId == id.ToString()).OrderBy(a => a.Seq).Select(a => a.Action).ToListAsync());
        Assert.Equal(["BankAgreementSigned", "BankAgreementKeysRotated", "BankAgreementTerminated"], actions);
        var data = await app.AsSystemAsync(async sp => await sp.GetRequiredService<OneCardDbContext>().AuditLog
            .Where(a => a.EntityId == id.ToString()).Select(a => a.DataJson).ToListAsync());
        Assert.DoesNotContain(data, d => d.Contains(Convert.ToBase64String(enc2), StringComparison.Ordinal));
    }

    private Task<(byte[] Encryption, byte[] Signing)> KeysAsync(Guid id) => app.AsSystemAsync(async sp =>
    {
        var a = await sp.GetRequiredService<OneCardDbContext>().BankAgreements.AsNoTracking().SingleAsync(x => x.Id == id);
        var protector = sp.GetRequiredService<PersonalDataProtector>();
        return (Convert.FromBase64String(protector.Decrypt(a.EncryptionKeyCipher)), Convert.FromBase64String(protector.Decrypt(a.SigningKeyCipher)));
    });

    [Fact]
    public async Task Agreement_IsRefusedWithTheFieldNamed_WithoutASelection_OutsideTheScope_WhenOverlapping_OrWithDatesReversed()
    {
        var (status, body) = await PostAsync("finance", "/api/banks", new { code = "CCB-FK", nameZh = "中国建设银行法库支行", aliases = new[] { "建设银行" } });
        Assert.Equal(HttpStatusCode.OK, status);
        (status, body) = await PostAsync("finance", "/api/banks/CCB-FK/agreements", Agreement("FK-JH-2026-001"));
        Assert.Equal((HttpStatusCode.Conflict, "BankNotSelected"), (status, body.GetProperty("code").GetString()));

        await RegisterTestBankAsync();
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("SY-GH-2026-001", region: "210100"));
        Assert.Equal((HttpStatusCode.Forbidden, "RegionOutsideScope"), (status, body.GetProperty("code").GetString()));
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-002", region: "210124101"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "RegionNotCityOrCounty"), (status, body.GetProperty("code").GetString()));
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-003", from: "2026-06-01", to: "2026-05-31"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "ValidToBeforeFrom"), (status, body.GetProperty("code").GetString()));
        Assert.Contains("【截止日期】2026-05-31 早于【生效日期】2026-06-01", body.GetProperty("title").GetString());
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-004", policies: ["no-such-policy"]));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "PolicyUnknown"), (status, body.GetProperty("code").GetString()));

        (status, _) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-005"));
        Assert.Equal(HttpStatusCode.OK, status);
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-006", from: "2026-12-01", to: "2027-12-31"));
        Assert.Equal((HttpStatusCode.Conflict, "AgreementOverlaps"), (status, body.GetProperty("code").GetString()));
        Assert.Contains("FK-GH-2026-005", body.GetProperty("title").GetString());
        (status, body) = await PostAsync("finance", "/api/banks/ICBC-FK/agreements", Agreement("FK-GH-2026-005", from: "2027-01-01", to: "2027-12-31"));
        Assert.Equal((HttpStatusCode.Conflict, "AgreementNoTaken"), (status, body.GetProperty("code").GetString()));

        (status, body) = await PostAsync("finance", "/api/banks", new { code = "ABC-FK", nameZh = "中国农业银行法库支行", aliases = new[] { "工行" } });
        Assert.Equal((HttpStatusCode.Conflict, "AliasTaken"), (status, body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Supervisor_ReadsTheRegistryOfTheirCity_ButCannotWrite_AndAContactIsAddedAndRemoved()
    {
        var supervisor = await driver.As("supervisor");
        var banks = await supervisor.GetFromJsonAsync<JsonElement>("/api/banks");
        Assert.Contains(banks.EnumerateArray(), b => b.GetProperty("code").GetString() == "PSBC-LN" && b.GetProperty("activeAgreements").GetInt32() == 1);
        Assert.Contains(banks.EnumerateArray(), b => b.GetProperty("code").GetString() == "LNRCU");
        var response = await supervisor.PostAsJsonAsync("/api/banks", new { code = "X-BANK", nameZh = "某银行" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        // The county's finance sees the city's agreement (it binds the county) but may not change it.
        var psbc = await (await driver.As("finance")).GetFromJsonAsync<JsonElement>("/api/banks/PSBC-LN");
        var city = psbc.GetProperty("agreements").EnumerateArray().Single(a => a.GetProperty("agreementNo").GetString() == "SY-DF-2026-001");
        var (status, body) = await PostAsync("finance", $"/api/banks/agreements/{city.GetProperty("id").GetGuid()}/terminate", new { reason = "试图越权" });
        Assert.Equal((HttpStatusCode.Forbidden, "RegionOutsideScope"), (status, body.GetProperty("code").GetString()));

        (status, body) = await PostAsync("finance", "/api/banks/LNRCU/contacts", new { regionCode = "210124", name = "孙经理", duty = "业务联系人", phone = "024-8711abc" });
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "PhoneInvalid"), (status, body.GetProperty("code").GetString()));
        (status, body) = await PostAsync("finance", "/api/banks/LNRCU/contacts", new { regionCode = "210124", name = "孙经理", duty = "业务联系人", phone = "024-87112233", email = "sun@example.cn" });
        Assert.Equal(HttpStatusCode.OK, status);
        var contactId = body.GetProperty("id").GetGuid();
        var detail = await supervisor.GetFromJsonAsync<JsonElement>("/api/banks/LNRCU");
        Assert.Contains(detail.GetProperty("contacts").EnumerateArray(), c => c.GetProperty("name").GetString() == "孙经理");
        var removed = await (await driver.As("finance")).DeleteAsync($"/api/banks/contacts/{contactId}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        detail = await supervisor.GetFromJsonAsync<JsonElement>("/api/banks/LNRCU");
        Assert.Empty(detail.GetProperty("contacts").EnumerateArray());
    }
}
