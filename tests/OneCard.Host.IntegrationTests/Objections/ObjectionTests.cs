using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Objections;

/// <summary>Issue 5, finding 3: one open objection per line and contact; reviewers resolve many at once.</summary>
public sealed class ObjectionTests : IAsyncLifetime
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

    /// <summary>A case in 公示, with its notice id and the line numbers the public sees.</summary>
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

    private Task<int> CountAsync(Func<IQueryable<Objection>, IQueryable<Objection>> filter) =>
        app.AsSystemAsync(sp => filter(sp.GetRequiredService<OneCardDbContext>().Objections.AsNoTracking()).CountAsync());

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task Lodge_RefusesASecondOpenObjection_FromTheSameContactToTheSameLine()
    {
        var (_, noticeId, lineNos) = await InPublicityAsync();
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[0], "138-1234-5678")).StatusCode);

        var again = await LodgeAsync(noticeId, lineNos[0], "13812345678", "再次提出：此户土地已流转");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ObjectionAlreadyOpen", problem.GetProperty("code").GetString());
        Assert.Contains("正在处理中", problem.GetProperty("title").GetString());
        Assert.Equal(1, await CountAsync(q => q));

        // Another person on the same line, and the same person on another line or the whole notice, are heard.
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[0], "13900001111")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[1], "13812345678")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, null, "13812345678")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await LodgeAsync(noticeId, null, "13812345678")).StatusCode);
        Assert.Equal(4, await CountAsync(q => q.Where(o => o.Status == ObjectionStatus.Open)));
        // The contact is stored masked and as a keyed hash, never in the clear.
        var stored = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Objections.AsNoTracking().ToListAsync());
        Assert.All(stored, o => Assert.DoesNotContain("12345678", o.ContactMasked + o.ContactHash));
    }

    [Fact]
    public async Task Lodge_RequiresAContactPhone()
    {
        var (_, noticeId, lineNos) = await InPublicityAsync();
        var none = await LodgeAsync(noticeId, lineNos[0], null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Equal("ContactRequired", await CodeAsync(none));
        Assert.Equal("ContactInvalid", await CodeAsync(await LodgeAsync(noticeId, lineNos[0], "call me")));
        Assert.Equal(0, await CountAsync(q => q));
    }

    [Fact]
    public async Task Lodge_AFloodOfAThousandFromOneContact_LeavesOneOpenObjection()
    {
        var (id, noticeId, lineNos) = await InPublicityAsync();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var response = await LodgeAsync(noticeId, lineNos[0], "13812345678", $"第{i}次：此户土地已流转给合作社经营");
            statuses.Add(response.StatusCode);
        });

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        // Refused as a duplicate (409), or earlier by a per-client rate limit (429); nothing else, and nothing stored.
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Contains(s, new[] { HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests }));
        Assert.Equal(1, await CountAsync(q => q.Where(o => o.ApplicationId == id)));
        var audits = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(a => a.Action == "ObjectionLodged"));
        Assert.Equal(1, audits);
    }

    [Fact]
    public async Task BulkResolve_OfManyObjections_InOneRequest_LetsTheCaseReachFinanceRecheck()
    {
        var (id, noticeId, lineNos) = await InPublicityAsync();
        for (var i = 0; i < 60; i++)
            Assert.Equal(HttpStatusCode.Created, (await LodgeAsync(noticeId, lineNos[i % lineNos.Count], $"1380000{i:0000}")).StatusCode);
        await EndPublicityAsync(id);
        Assert.Equal("ObjectionReview", await driver.StepAsync(id));

        var reviewer = await driver.As("reviewer");
        var objections = (await driver.GetAsync(id)).GetProperty("objections").EnumerateArray().ToList();
        var onFirstLine = objections.Where(o => o.GetProperty("lineNo").GetInt32() == lineNos[0]).Select(o => o.GetProperty("id").GetGuid()).ToList();
        var eligibleBefore = (await driver.GetAsync(id)).GetProperty("case").GetProperty("eligibleCount").GetInt32();
        Assert.True(onFirstLine.Count >= 12);

        // Every objection to one line upheld at once: the line is rejected once.
        var upheld = await reviewer.PostAsJsonAsync($"/api/applications/{id}/objections/resolve",
            new { objectionIds = onFirstLine, uphold = true, resolution = "经核实土地已流转，取消补贴资格" });
        Assert.Equal(HttpStatusCode.OK, upheld.StatusCode);
        Assert.Equal(onFirstLine.Count, (await upheld.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resolved").GetInt32());
        // The same ones again: refused whole, nothing changes.
        var twice = await reviewer.PostAsJsonAsync($"/api/applications/{id}/objections/resolve",
            new { objectionIds = onFirstLine.Take(1).Append(objections.Last().GetProperty("id").GetGuid()), uphold = false, resolution = "不成立" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("ObjectionClosed", await CodeAsync(twice));

        // Every other open objection dismissed in one request (no ids: all open ones).
        var rest = await reviewer.PostAsJsonAsync($"/api/applications/{id}/objections/resolve", new { uphold = false, resolution = "经核实情况属实，异议不成立" });
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(60 - onFirstLine.Count, (await rest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resolved").GetInt32());
        Assert.Equal(0, await CountAsync(q => q.Where(o => o.Status == ObjectionStatus.Open)));
        var audits = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(a => a.Action == "ObjectionResolved"));
        Assert.Equal(60, audits);

        await driver.ActAsync(id, "reviewer", "Complete");
        var detail = await driver.GetAsync(id);
        Assert.Equal("FinanceRecheck", detail.GetProperty("case").GetProperty("step").GetString());
        var line = detail.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == lineNos[0]);
        Assert.Equal("Rejected", line.GetProperty("outcome").GetString());
        Assert.Equal(eligibleBefore - 1, detail.GetProperty("case").GetProperty("eligibleCount").GetInt32());
    }

    private async Task EndPublicityAsync(Guid id)
    {
        app.Clock.Advance(TimeSpan.FromDays(8));
        await app.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);
    }
}
