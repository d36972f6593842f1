using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Publicity;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Objections;

/// <summary>
/// Issue 10 item 2, the API rules behind the public objection form: the receipt number, the contact kept only encrypted (for
/// follow-up) and masked, one open objection per line and contact held by the database, and a notice's status from its dates.
/// </summary>
public sealed class PublicObjectionRulesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;
    private HttpClient anonymous = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        driver = new CaseDriver(app);
        anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.BaseAddress, AllowAutoRedirect = false });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(Guid Id, Guid NoticeId, List<int> LineNos)> InPublicityAsync()
    {
        var id = await driver.DriveToAsync("Publicity");
        var notices = await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices");
        var noticeId = notices.EnumerateArray().Single(n => n.GetProperty("kind").GetString() == "公示").GetProperty("id").GetGuid();
        var notice = await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/notices/{noticeId}");
        return (id, noticeId, notice.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("lineNo").GetInt32()).ToList());
    }

    private Task<HttpResponseMessage> LodgeAsync(Guid noticeId, int? lineNo, string? contact, string text = "此户土地已流转给合作社经营") =>
        anonymous.PostAsJsonAsync($"/api/public/notices/{noticeId}/objections", new { lineNo, text, contact });

    private async Task<JsonElement> NoticeAsync(Guid noticeId) =>
        (await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/notices/{noticeId}")).GetProperty("notice");

    [Fact]
    public async Task Receipt_IsUniqueAndReadable_AndTheContactIsStoredOnlyEncryptedAndMasked_NeverReturned()
    {
        var (id, noticeId, lineNos) = await InPublicityAsync();
        var receipts = new List<string>();
        string[] contacts = ["138-1234-5678", "13900001111", "+8613700002222"];
        for (var i = 0; i < contacts.Length; i++)
        {
            var response = await LodgeAsync(noticeId, lineNos[i % lineNos.Count], contacts[i]);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var receipt = JsonDocument.Parse(body).RootElement;
            receipts.Add(receipt.GetProperty("receiptNo").GetString()!);
            Assert.Equal(lineNos[i % lineNos.Count], receipt.GetProperty("lineNo").GetInt32());
            // The answer does not echo the contact.
            Assert.DoesNotContain(contacts[i].Replace("-", "", StringComparison.Ordinal)[^8..], body, StringComparison.Ordinal);
        }
        Assert.All(receipts, r => Assert.Matches(new Regex(@"^YY\d{8}-[2-9A-HJKMNP-Z]{6}$"), r));
        Assert.Equal(receipts.Count, receipts.Distinct().Count());

        var stored = await app.AsSystemAsync(async sp => (await sp.GetRequiredService<OneCardDbContext>().Objections.AsNoTracking().OrderBy(o => o.LodgedAt).ToListAsync(),
            sp.GetRequiredService<PersonalDataProtector>()));
        var (objections, protector) = stored;
        Assert.Equal(receipts.Order(), objections.Select(o => o.ReceiptNo!).Order());
        foreach (var o in objections)
        {
            var clear = protector.Decrypt(o.ContactCipher!);
            Assert.Contains(clear, new[] { "13812345678", "13900001111", "+8613700002222" });
            // Nothing stored in the clear: the cipher, the mask and the blind index never hold the number's last eight digits.
            Assert.DoesNotContain(clear[^8..], o.ContactCipher + o.ContactMasked + o.ContactHash, StringComparison.Ordinal);
            Assert.Contains("*", o.ContactMasked, StringComparison.Ordinal);
        }
        // Staff see the contact masked only.
        var staffView = await (await driver.As("reviewer")).GetStringAsync($"/api/applications/{id}");
        Assert.DoesNotContain("12345678", staffView, StringComparison.Ordinal);
        Assert.DoesNotContain("00001111", staffView, StringComparison.Ordinal);
        Assert.DoesNotContain("contactCipher", staffView, StringComparison.OrdinalIgnoreCase);

        // The database holds the receipt unique: a copied number cannot be stored twice.
        var copy = await Assert.ThrowsAsync<DbUpdateException>(() => app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var first = objections[0];
            db.Objections.Add(new Objection
            {
                Id = Guid.CreateVersion7(), ApplicationId = first.ApplicationId, RegionCode = first.RegionCode, LineNo = first.LineNo,
                Text = "副本", ContactHash = "another", ReceiptNo = first.ReceiptNo, LodgedAt = first.LodgedAt, Status = ObjectionStatus.Dismissed,
            });
            return await db.SaveChangesAsync();
        }));
        Assert.Contains("UX_Objections_ReceiptNo", copy.InnerException?.Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondOpenObjection_OnTheSameLineFromTheSameContact_IsRefusedWith409_AndTheDatabaseRefusesItToo()
    {
        var (_, noticeId, lineNos) = await InPublicityAsync();
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[0], "13812345678")).StatusCode);
        var again = await LodgeAsync(noticeId, lineNos[0], "138 1234 5678", "再次提出：此户土地已流转");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ObjectionAlreadyOpen", problem.GetProperty("code").GetString());
        Assert.Equal($"您对第{lineNos[0]}条明细提出的异议正在处理中，请勿重复提交", problem.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[0], "13900001111")).StatusCode);

        // Past the handler's check, the filtered unique index on (case, line, contact's blind index) where open holds.
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var first = await db.Objections.AsNoTracking().OrderBy(o => o.LodgedAt).FirstAsync();
            db.Objections.Add(new Objection
            {
                Id = Guid.CreateVersion7(), ApplicationId = first.ApplicationId, RegionCode = first.RegionCode, LineNo = first.LineNo,
                Text = "绕过检查", ContactHash = first.ContactHash, LodgedAt = first.LodgedAt, Status = ObjectionStatus.Open,
            });
            return await db.SaveChangesAsync();
        }));
        Assert.Contains("UX_Objections_OneOpenPerLineAndContact", refused.InnerException?.Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notice_StatusFollowsItsDates_AndAnEndedPublicityRefusesObjections()
    {
        var (_, noticeId, lineNos) = await InPublicityAsync();
        var open = await NoticeAsync(noticeId);
        Assert.Equal("公示中", open.GetProperty("status").GetString());
        Assert.True(open.GetProperty("acceptsObjections").GetBoolean());

        // The period runs out; no job has run yet, and still the notice reads 公示期满 and refuses.
        app.Clock.Advance(TimeSpan.FromDays(8));
        var ended = await NoticeAsync(noticeId);
        Assert.Equal("公示期满", ended.GetProperty("status").GetString());
        Assert.False(ended.GetProperty("acceptsObjections").GetBoolean());
        var list = await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices");
        Assert.Equal("公示期满", list.EnumerateArray().Single(n => n.GetProperty("id").GetGuid() == noticeId).GetProperty("status").GetString());

        var late = await LodgeAsync(noticeId, lineNos[0], "13812345678");
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var problem = await late.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("PublicityClosed", problem.GetProperty("code").GetString());
        Assert.StartsWith("公示期已于", problem.GetProperty("title").GetString());
        Assert.EndsWith("结束，不再受理异议", problem.GetProperty("title").GetString());
        Assert.Equal(0, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Objections.CountAsync()));
    }

    [Fact]
    public void StatusOf_ReadsNotStartedOpenAndEnded_FromTheDates()
    {
        var published = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.FromHours(8));
        var notice = new PublicNotice
        {
            Id = Guid.NewGuid(), Kind = NoticeKind.Publicity, RegionCode = "210124101", RegionName = "大孤家子镇", PolicyNameZh = "耕地地力保护补贴",
            Period = "2026", PublishedAt = published, ObjectionsCloseAt = published.AddDays(7),
        };
        Assert.Equal("未开始", PublicNotices.StatusOf(notice, published.AddMinutes(-1)));
        Assert.Equal("公示中", PublicNotices.StatusOf(notice, published));
        Assert.Equal("公示中", PublicNotices.StatusOf(notice, published.AddDays(7).AddTicks(-1)));
        Assert.Equal("公示期满", PublicNotices.StatusOf(notice, published.AddDays(7)));
        var publication = new PublicNotice
        {
            Id = Guid.NewGuid(), Kind = NoticeKind.Publication, RegionCode = "210124101", RegionName = "大孤家子镇", PolicyNameZh = "耕地地力保护补贴",
            Period = "2026", PublishedAt = published,
        };
        Assert.Equal("已公开", PublicNotices.StatusOf(publication, published.AddYears(1)));
    }
}
