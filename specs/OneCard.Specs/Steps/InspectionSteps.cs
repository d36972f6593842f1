using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Domain.Inspections;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>专项核查: post-payment campaigns drawn per township from the recorded seed, reproduced from the record.</summary>
[Binding]
public sealed class InspectionSteps(ScenarioState state)
{
    private readonly List<Guid> campaigns = [];
    private Guid changedLine;

    private Guid Latest => campaigns[^1];

    private static object[] Lines(string township, int count, int first) =>
        [.. Enumerable.Range(first, count).Select(i => Claims.Line($"核查{i:00}", Claims.Id($"2101241980{1 + i % 12:00}{1 + i % 28:00}{i:000}"), 5m + i, region: township))];

    private async Task SubmitAsync(string clerk, object[] lines)
    {
        using var response = await (await state.As(clerk)).PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Given(@"^大孤家子镇有(\d+)条、三面船镇有(\d+)条耕地地力保护补贴明细已发放$")]
    public async Task GivenPaidLines(int first, int second)
    {
        await SubmitAsync("clerk", Lines("210124101", first, 1));
        await SubmitAsync("clerk2", Lines("210124102", second, 40));
        // The payment path has its own features; here only the lines' outcome (已发放) matters to the population.
        var updated = await state.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines
            .Where(l => l.Outcome == LineOutcome.Eligible).ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid)));
        Assert.Equal(first + second, updated);
    }

    [When(@"^" + Words.Who + @"(\S+) 以随机种子 (\d+)、比例 (\d+)%、每乡镇最少 (\d+) 条对法库县创建事后专项核查并抽样$")]
    public async Task CreateAndDraw(string user, long seed, int percent, int minimum)
    {
        var client = await state.As(user);
        using var created = await client.PostAsJsonAsync("/api/inspections/campaigns", new
        {
            kind = "PostPayment", title = "耕地地力保护补贴事后专项核查", regionCode = "210124", policyCode = "arable-land-protection", period = "2026",
            share = percent / 100m, minimumPerStratum = minimum, seed,
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("campaign").GetProperty("id").GetGuid();
        using var drawn = await client.PostAsJsonAsync($"/api/inspections/campaigns/{id}/actions/Draw", new { });
        Assert.True(drawn.IsSuccessStatusCode, await drawn.Content.ReadAsStringAsync());
        campaigns.Add(id);
    }

    [Then(@"^抽样按乡镇分层：大孤家子镇总体(\d+)条抽(\d+)条，三面船镇总体(\d+)条抽(\d+)条$")]
    public async Task ThenStrata(int n1, int k1, int n2, int k2)
    {
        var detail = await state.GetJson("supervisor", $"/api/inspections/campaigns/{Latest}");
        var strata = detail.GetProperty("strata").EnumerateArray()
            .Select(s => (s.GetProperty("stratum").GetString(), s.GetProperty("population").GetInt32(), s.GetProperty("sampleSize").GetInt32())).ToList();
        Assert.Equal([("210124101", n1, k1), ("210124102", n2, k2)], strata);
        var items = detail.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(k1, items.Count(i => i.GetProperty("stratum").GetString() == "210124101"));
        Assert.Equal(k2, items.Count(i => i.GetProperty("stratum").GetString() == "210124102"));
    }

    [Then(@"^每条抽中明细都是一件处于""(.+)""环节的核查事项$")]
    public async Task ThenItemsAreCases(string step)
    {
        var detail = await state.GetJson("supervisor", $"/api/inspections/campaigns/{Latest}");
        var items = detail.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal(step, i.GetProperty("stepTitle").GetString()));
        Assert.All(items, i => Assert.True(i.GetProperty("lineNo").GetInt32() > 0));
    }

    [Then(@"^按记录的种子复现抽样，结果为""(.+)""$")]
    public async Task ThenReproduced(string verdict)
    {
        var r = await state.GetJson("supervisor", $"/api/inspections/campaigns/{Latest}/reproduce");
        Assert.Equal(verdict, r.GetProperty("verdict").GetString());
        Assert.True(r.GetProperty("sampleReproduced").GetBoolean());
    }

    private Task<List<InspectionItem>> ItemsAsync(Guid campaign) => state.App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().InspectionItems.Where(i => i.CampaignId == campaign).ToListAsync());

    [Then(@"^只凭记录的种子、比例、最少数和总体重做抽样，得到同样的明细$")]
    public async Task ThenRedoneByHand()
    {
        var (campaign, members) = await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var c = await db.InspectionCampaigns.SingleAsync(x => x.Id == Latest);
            var m = await db.InspectionPopulationMembers.Where(x => x.CampaignId == Latest).Select(x => new Member(x.Key, x.Stratum)).ToListAsync();
            return (c, m);
        });
        Assert.Equal(StratifiedDraw.AlgorithmName, campaign.Algorithm);
        Assert.Equal(campaign.PopulationSha256, StratifiedDraw.PopulationHash(members));
        var redone = StratifiedDraw.Draw(members, campaign.Seed, campaign.Share, campaign.MinimumPerStratum).SelectMany(s => s.Drawn).ToHashSet();
        Assert.Equal(redone, (await ItemsAsync(Latest)).Select(i => i.ClaimLineId!.Value).ToHashSet());
    }

    private async Task<(HashSet<Guid> First, HashSet<Guid> Last)> LastTwoAsync() =>
        ((await ItemsAsync(campaigns[^2])).Select(i => i.SampledKey).ToHashSet(), (await ItemsAsync(campaigns[^1])).Select(i => i.SampledKey).ToHashSet());

    [Then(@"^两次抽样的明细相同$")]
    public async Task ThenSame()
    {
        var (a, b) = await LastTwoAsync();
        Assert.Equal(a, b);
    }

    [Then(@"^两次抽样的明细不同$")]
    public async Task ThenDifferent()
    {
        var (a, b) = await LastTwoAsync();
        Assert.NotEqual(a, b);
    }

    [When(@"^三面船镇第(\d+)条明细此后被退票$")]
    public async Task WhenLineFailed(int lineNo) =>
        changedLine = await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var line = await db.ClaimLines.SingleAsync(l => l.RegionCode == "210124102" && l.LineNo == lineNo);
            line.Outcome = LineOutcome.Failed;
            await db.SaveChangesAsync();
            return line.Id;
        });

    [Then(@"^按记录的种子复现抽样，结果为""(.+)""，原样本仍可复现，总体减少的正是该明细$")]
    public async Task ThenChanged(string verdict)
    {
        var r = await state.GetJson("supervisor", $"/api/inspections/campaigns/{Latest}/reproduce");
        Assert.Equal(verdict, r.GetProperty("verdict").GetString());
        Assert.True(r.GetProperty("sampleReproduced").GetBoolean());
        Assert.False(r.GetProperty("populationUnchanged").GetBoolean());
        Assert.Equal([changedLine], r.GetProperty("removed").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Empty(r.GetProperty("added").EnumerateArray());
    }
}
