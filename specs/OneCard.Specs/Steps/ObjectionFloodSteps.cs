using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>An objection flood from one contact, many objectors, and the reviewer's bulk resolution.</summary>
[Binding]
public sealed class ObjectionFloodSteps(ScenarioState state)
{
    private readonly List<HttpStatusCode> statuses = [];
    private readonly List<string?> codes = [];

    private async Task<HttpResponseMessage> Lodge(int? lineNo, string contact, string text)
    {
        var notice = await PublicitySteps.Notice(state, "公示");
        var id = notice.GetProperty("notice").GetProperty("id").GetGuid();
        return await state.Public.PostAsJsonAsync($"/api/public/notices/{id}/objections", new { lineNo, text, contact });
    }

    [When(@"^同一联系人对公示中的第(\d+)条明细连续提出(\d+)次异议$")]
    public async Task Flood(int lineNo, int times)
    {
        var notice = await PublicitySteps.Notice(state, "公示");
        var id = notice.GetProperty("notice").GetProperty("id").GetGuid();
        for (var i = 0; i < times; i++)
        {
            using var response = await state.Public.PostAsJsonAsync($"/api/public/notices/{id}/objections",
                new { lineNo, text = $"第{i + 1}次反映：此户土地已流转", contact = "13812345678" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode != HttpStatusCode.Created)
                codes.Add((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
        }
    }

    [Then(@"^只受理了(\d+)条异议，其余均被拒绝，错误代码""(\w+)""$")]
    public void ThenOnlyOneLodged(int accepted, string code)
    {
        Assert.Equal(accepted, statuses.Count(s => s == HttpStatusCode.Created));
        // A per-client rate limit may refuse part of a flood before the duplicate check does.
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Contains(s, new[] { HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests }));
        Assert.Contains(code, codes);
    }

    [When(@"^另有(\d+)位群众各自对公示中的明细提出异议$")]
    public async Task ManyObjectors(int people)
    {
        var lineNos = (await PublicitySteps.Notice(state, "公示")).GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("lineNo").GetInt32()).ToList();
        for (var i = 0; i < people; i++)
        {
            using var response = await Lodge(lineNos[i % lineNos.Count], $"1390000{i:0000}", "申报面积与实际不符，请核实");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    [Then(@"^案件有(\d+)条未处理的异议$")]
    public async Task ThenOpenObjections(int count)
    {
        var objections = (await state.Case("reviewer")).GetProperty("objections").EnumerateArray();
        Assert.Equal(count, objections.Count(o => o.GetProperty("status").GetString() == "Open"));
    }

    [When(@"^审核人 (\S+) 一次处理全部未处理异议，认定不成立，意见为""(.+)""$")]
    public async Task ResolveAll(string user, string resolution)
    {
        var ids = (await state.Case(user)).GetProperty("objections").EnumerateArray()
            .Where(o => o.GetProperty("status").GetString() == "Open").Select(o => o.GetProperty("id").GetGuid()).ToList();
        await state.PostOk(user, $"/api/applications/{state.CaseId}/objections/resolve", new { objectionIds = ids, uphold = false, resolution });
    }

    [Then(@"^(\d+)条异议均已处理，每条各有一条审计记录$")]
    public async Task ThenAllResolved(int count)
    {
        var objections = (await state.Case("reviewer")).GetProperty("objections").EnumerateArray().ToList();
        Assert.Equal(count, objections.Count);
        Assert.All(objections, o => Assert.Equal("Dismissed", o.GetProperty("status").GetString()));
        var (audited, dismissed) = await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.AuditLog.AsNoTracking().CountAsync(a => a.Action == "ObjectionResolved"),
                await db.Objections.CountAsync(o => o.Status == ObjectionStatus.Dismissed));
        });
        Assert.Equal(count, audited);
        Assert.Equal(count, dismissed);
    }
}
