using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>
/// The township ledger (乡镇补贴底册, issue 9 item 1): a case at payment shows every line with its facts, amount, outcome,
/// payment and publicity; the consistency check finds the notice and the instructions equal to the ledger, and names the
/// line and field of a public notice line that was tampered with.
/// </summary>
public sealed class LedgerTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private const string Url = "/api/registry/ledger?policy=arable-land-protection&period=2026&township=210124101";

    [Fact]
    public async Task Ledger_ListsTheTownshipsLines_AndFindsThemConsistent_ThenLocatesATamperedNoticeLine()
    {
        await driver.DriveToAsync("Payment");
        var reviewer = await driver.As("reviewer");
        var ledger = await reviewer.GetFromJsonAsync<JsonElement>(Url);
        var lines = ledger.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal(5, ledger.GetProperty("lineCount").GetInt32());
        Assert.Equal("张三", lines[0].GetProperty("name").GetString());
        Assert.Equal("张*", lines[0].GetProperty("nameMasked").GetString());
        Assert.DoesNotContain("1980010", lines[0].GetProperty("idNumberMasked").GetString());
        Assert.Contains("承包面积", lines[0].GetProperty("facts").GetString());
        // The second line is a converted plot: ineligible, never published or instructed.
        Assert.Equal(("不符合", "未下发", "未公示"), (lines[1].GetProperty("outcomeZh").GetString(), lines[1].GetProperty("paymentZh").GetString(),
            lines[1].GetProperty("publicityZh").GetString()));
        Assert.Equal("已公示", lines[0].GetProperty("publicityZh").GetString());
        Assert.StartsWith("已下发", lines[0].GetProperty("paymentZh").GetString());
        Assert.Equal(4, ledger.GetProperty("instructionsChecked").GetInt32());
        Assert.Equal(1, ledger.GetProperty("noticesChecked").GetInt32());
        Assert.True(ledger.GetProperty("consistent").GetBoolean(), ledger.GetProperty("differences").GetRawText());
        var total = lines.Sum(l => l.GetProperty("amount").ValueKind == JsonValueKind.Number ? l.GetProperty("amount").GetDecimal() : 0m);
        Assert.Equal(total, ledger.GetProperty("total").GetDecimal());

        // Someone edits the published notice behind the system's back: one amount and one masked name.
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            await db.Database.ExecuteSqlRawAsync("""UPDATE "PublicNoticeLines" SET "Amount" = "Amount" + 1 WHERE "LineNo" = 3""");
            await db.Database.ExecuteSqlRawAsync("""UPDATE "PublicNoticeLines" SET "NameMasked" = '李*' WHERE "LineNo" = 4""");
            return 0;
        });
        var tampered = await reviewer.GetFromJsonAsync<JsonElement>(Url);
        Assert.False(tampered.GetProperty("consistent").GetBoolean());
        var differences = tampered.GetProperty("differences").EnumerateArray()
            .Select(d => (d.GetProperty("where").GetString()!, d.GetProperty("field").GetString()!)).ToList();
        Assert.Contains(differences, d => d.Item1.EndsWith("公示 第3行", StringComparison.Ordinal) && d.Item2 == "金额");
        Assert.Contains(differences, d => d.Item1.EndsWith("公示 第4行", StringComparison.Ordinal) && d.Item2 == "姓名");
        Assert.Contains(differences, d => d.Item2 == "合计"); // the notice's stated total is no longer its lines' sum
        Assert.Equal(3, differences.Count);
    }

    [Fact]
    public async Task Ledger_ExportsXlsx_WithTheSameLines()
    {
        await driver.DriveToAsync("Publicity");
        var reviewer = await driver.As("reviewer");
        var response = await reviewer.GetAsync(Url.Replace("/ledger?", "/ledger.xlsx?", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(5, rows.Count);
        Assert.Equal("张三", rows[0]["姓名"]);
        Assert.Equal("已公示", rows[0]["公示公开"]);
        Assert.Equal("不符合", rows[1]["审核结果"]);
    }

    [Fact]
    public async Task Ledger_OfAnotherCountysTownship_IsNotFound()
    {
        await driver.DriveToAsync("Publicity");
        var otherCounty = new CurrentUser("u-other", "other", "康平县审核", Roles.CountyReviewer, "210123", null, "LN-AGRI");
        var refused = await Assert.ThrowsAsync<OneCardException>(() => app.AsUserAsync(otherCounty, sp =>
            sp.GetRequiredService<TownshipLedger.Handler>().LedgerAsync(new("arable-land-protection", "2026", "210124101"), CancellationToken.None)));
        Assert.Equal(ErrorKind.NotFound, refused.Kind);
        var bad = await (await driver.As("reviewer")).GetAsync("/api/registry/ledger?policy=arable-land-protection&period=2026&township=2101");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("township", await bad.Content.ReadAsStringAsync());
    }
}
