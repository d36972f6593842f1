using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Inspections;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Inspections;

/// <summary>
/// Issue 9 item 4: inspection campaigns on the engine. A post-payment campaign draws per township from the paid lines its
/// criteria select, records its seed and population, and reproduces the draw; items are cases with working-day deadlines,
/// evidence that must be complete, attachments typed by their bytes, and a reviewer who is not the inspector; another
/// county's campaign is not found.
/// </summary>
public sealed class InspectionTests : IAsyncLifetime
{
    /// <summary>Tuesday 2026-09-29 09:00 in China: the National Day holidays (1–7 October) and the make-up Saturday 10 October follow.</summary>
    private static readonly DateTimeOffset Start = new(2026, 9, 29, 9, 0, 0, TimeSpan.FromHours(8));

    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(start: Start); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object[] Lines(string township, int count, int first) =>
        [.. Enumerable.Range(first, count).Select(i => Claims.Line($"核查{i:00}", Claims.Id($"2101241980{1 + i % 12:00}{1 + i % 28:00}{i:000}"), 5m + i, region: township))];

    /// <summary>Two township rosters (12 lines in 大孤家子镇, 7 in 三面船镇), every eligible line then marked paid; returns the application ids.</summary>
    private async Task<(Guid First, Guid Second)> PaidLinesAsync()
    {
        var first = await driver.SubmitAsync(Lines("210124101", 12, 1), "clerk");
        var second = await driver.SubmitAsync(Lines("210124102", 7, 40), "clerk2");
        // The payment path is proven elsewhere; here only the lines' outcome matters to the population.
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines
            .Where(l => l.Outcome == LineOutcome.Eligible).ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid)));
        return (first, second);
    }

    private async Task<JsonElement> CreateAsync(long? seed, string user = "supervisor", decimal share = 0.5m, int minimum = 3)
    {
        var response = await (await driver.As(user)).PostAsJsonAsync("/api/inspections/campaigns", new
        {
            kind = "PostPayment", title = "2026年耕地地力保护补贴事后专项核查", regionCode = "210124", policyCode = "arable-land-protection", period = "2026",
            share, minimumPerStratum = minimum, seed,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> DrawAsync(Guid id)
    {
        var response = await (await driver.As("supervisor")).PostAsJsonAsync($"/api/inspections/campaigns/{id}/actions/Draw", new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> ReproduceAsync(Guid id) =>
        await (await driver.As("supervisor")).GetFromJsonAsync<JsonElement>($"/api/inspections/campaigns/{id}/reproduce");

    private static HashSet<Guid> Keys(JsonElement campaign) =>
        [.. campaign.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    private async Task<HashSet<Guid>> SampledKeysAsync(Guid campaignId) =>
        await app.AsSystemAsync(async sp => (await sp.GetRequiredService<OneCardDbContext>().InspectionItems.Where(i => i.CampaignId == campaignId)
            .Select(i => i.SampledKey).ToListAsync()).ToHashSet());

    [Fact]
    public async Task PostPayment_DrawsPerTownshipByTheFormula_AndReproducesFromTheRecordedSeed()
    {
        await PaidLinesAsync();
        var created = await CreateAsync(seed: 20261001);
        var id = created.GetProperty("campaign").GetProperty("id").GetGuid();
        Assert.Equal("Draft", created.GetProperty("case").GetProperty("step").GetString());
        Assert.Equal(20261001, created.GetProperty("seed").GetInt64());
        Assert.Equal("given", created.GetProperty("seedSource").GetString());

        var drawn = await DrawAsync(id);
        Assert.Equal("Inspecting", drawn.GetProperty("case").GetProperty("step").GetString());
        var strata = drawn.GetProperty("strata").EnumerateArray().ToList();
        // 12 paid lines: max(3, ⌈0.5 × 12⌉) = 6; 7 paid lines: max(3, ⌈3.5⌉) = 4.
        Assert.Equal(["210124101", "210124102"], strata.Select(s => s.GetProperty("stratum").GetString()));
        Assert.Equal([12, 7], strata.Select(s => s.GetProperty("population").GetInt32()));
        Assert.Equal([6, 4], strata.Select(s => s.GetProperty("sampleSize").GetInt32()));
        Assert.Equal(10, drawn.GetProperty("items").GetArrayLength());
        Assert.Equal(19, drawn.GetProperty("campaign").GetProperty("populationCount").GetInt32());

        var sampled = await SampledKeysAsync(id);
        var members = await app.AsSystemAsync(async sp => (await sp.GetRequiredService<OneCardDbContext>().InspectionPopulationMembers
            .Where(m => m.CampaignId == id).ToListAsync()).Select(m => new Member(m.Key, m.Stratum)).ToList());
        // The recorded inputs alone redo the draw: the domain's algorithm over the stored population and seed.
        Assert.Equal(sampled, StratifiedDraw.Draw(members, 20261001, 0.5m, 3).SelectMany(s => s.Drawn).ToHashSet());

        var reproduced = await ReproduceAsync(id);
        Assert.True(reproduced.GetProperty("consistent").GetBoolean(), reproduced.GetProperty("message").GetString());
        Assert.Equal("一致", reproduced.GetProperty("verdict").GetString());

        // The same seed over the same population draws the same lines; another seed draws others.
        var same = await DrawAsync((await CreateAsync(seed: 20261001)).GetProperty("campaign").GetProperty("id").GetGuid());
        Assert.Equal(sampled, await SampledKeysAsync(same.GetProperty("campaign").GetProperty("id").GetGuid()));
        var other = await DrawAsync((await CreateAsync(seed: 7)).GetProperty("campaign").GetProperty("id").GetGuid());
        Assert.NotEqual(sampled, await SampledKeysAsync(other.GetProperty("campaign").GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Reproduce_DetectsAChangedPopulation_AndSaysWhichLines()
    {
        await PaidLinesAsync();
        var id = (await CreateAsync(seed: null)).GetProperty("campaign").GetProperty("id").GetGuid();
        var drawn = await DrawAsync(id);
        Assert.Equal("generated", drawn.GetProperty("seedSource").GetString());
        // A paid line is later found failed (退票): it leaves the population the criteria select.
        var gone = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var line = await db.ClaimLines.Where(l => l.RegionCode == "210124102").OrderBy(l => l.LineNo).FirstAsync();
            line.Outcome = LineOutcome.Failed;
            await db.SaveChangesAsync();
            return line.Id;
        });

        var reproduced = await ReproduceAsync(id);
        Assert.False(reproduced.GetProperty("consistent").GetBoolean());
        Assert.Equal("不一致", reproduced.GetProperty("verdict").GetString());
        // The recorded draw itself still reproduces; what changed is the population, and the answer names the line.
        Assert.True(reproduced.GetProperty("sampleReproduced").GetBoolean());
        Assert.False(reproduced.GetProperty("populationUnchanged").GetBoolean());
        Assert.Equal([gone], reproduced.GetProperty("removed").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Empty(reproduced.GetProperty("added").EnumerateArray());
        Assert.Contains("减少 1 条", reproduced.GetProperty("message").GetString());

        // A tampered recorded population no longer matches the hash taken at the draw.
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().InspectionPopulationMembers
            .Where(m => m.CampaignId == id && m.Key == gone).ExecuteDeleteAsync());
        var tampered = await ReproduceAsync(id);
        Assert.False(tampered.GetProperty("recordedPopulationIntact").GetBoolean());
        Assert.Contains("摘要不符", tampered.GetProperty("message").GetString());
    }

    private static MultipartFormDataContent File(byte[] bytes, string name) => new()
    {
        { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", name },
    };

    private static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();

    [Fact]
    public async Task Item_IsACaseWithAWorkingDayDeadline_NeedsCompleteEvidence_AndIsReviewedByAnother()
    {
        var (application, _) = await PaidLinesAsync();
        var id = (await CreateAsync(seed: 99)).GetProperty("campaign").GetProperty("id").GetGuid();
        var drawn = await DrawAsync(id);
        var itemRow = drawn.GetProperty("items").EnumerateArray().First(i => i.GetProperty("applicationId").GetGuid() == application);
        var itemId = itemRow.GetProperty("id").GetGuid();
        // Ten working days from Tuesday 29 September: 30 Sep, then 8, 9, 10 (the make-up Saturday), 12–16 and 19 October;
        // due at the end of the 19th (00:00 of the 20th, China time). Plain weekdays would end on 13 October.
        Assert.Equal(new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.FromHours(8)), itemRow.GetProperty("dueAt").GetDateTimeOffset());

        var inspector = await driver.As("inspector");
        var inbox = await inspector.GetStringAsync("/api/tasks");
        Assert.Contains(itemRow.GetProperty("reference").GetString()!, inbox);

        // Nothing recorded yet: Submit is refused and the answer lists what is missing.
        var early = await inspector.PostAsJsonAsync($"/api/inspections/items/{itemId}/actions/Submit", new { });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        var earlyText = await early.Content.ReadAsStringAsync();
        Assert.Contains("EvidenceIncomplete", earlyText);
        Assert.Contains("附件", earlyText);
        Assert.Contains("核查结论", earlyText);

        // Attachments: typed by their bytes, at most 5 MB, each refusal naming the file.
        var exe = await inspector.PostAsync($"/api/inspections/items/{itemId}/attachments", File([0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0], "现场照片.pdf"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, exe.StatusCode);
        var exeText = await exe.Content.ReadAsStringAsync();
        Assert.Contains("AttachmentType", exeText);
        Assert.Contains("现场照片.pdf", exeText);
        var big = new byte[AttachmentRules.MaxBytes + 10];
        Pdf.CopyTo(big, 0);
        var large = await inspector.PostAsync($"/api/inspections/items/{itemId}/attachments", File(big, "扫描件.pdf"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, large.StatusCode);
        Assert.Contains("扫描件.pdf", await large.Content.ReadAsStringAsync());
        var ok = await inspector.PostAsync($"/api/inspections/items/{itemId}/attachments", File(Pdf, "入户核查记录.pdf"));
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());
        var attachment = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("application/pdf", attachment.GetProperty("contentType").GetString());
        Assert.Equal(Pdf, await inspector.GetByteArrayAsync($"/api/inspections/items/{itemId}/attachments/{attachment.GetProperty("id").GetGuid()}"));

        var item = await inspector.GetFromJsonAsync<JsonElement>($"/api/inspections/items/{itemId}");
        var marks = item.GetProperty("checklist").EnumerateArray().Select(e => new { key = e.GetProperty("key").GetString(), @checked = true, note = "已核实" }).ToArray();
        var unknown = await inspector.PutAsJsonAsync($"/api/inspections/items/{itemId}/checklist", new { entries = new[] { new { key = "nope", @checked = true, note = "" } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("检查项第 1 项", await unknown.Content.ReadAsStringAsync());
        Assert.True((await inspector.PutAsJsonAsync($"/api/inspections/items/{itemId}/checklist", new { entries = marks })).IsSuccessStatusCode);
        Assert.True((await inspector.PutAsJsonAsync($"/api/inspections/items/{itemId}/finding",
            new { finding = "Confirmed", text = "实际种植面积小于申报面积，申报不实" })).IsSuccessStatusCode);
        var submitted = await inspector.PostAsJsonAsync($"/api/inspections/items/{itemId}/actions/Submit", new { });
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        // In review the evidence is frozen, and the county reviewer (not the inspector) closes it.
        Assert.Equal(HttpStatusCode.Conflict, (await inspector.PutAsJsonAsync($"/api/inspections/items/{itemId}/finding", new { finding = "NotConfirmed", text = "改" })).StatusCode);
        Assert.False((await inspector.PostAsJsonAsync($"/api/inspections/items/{itemId}/actions/Approve", new { })).IsSuccessStatusCode);
        var approved = await (await driver.As("reviewer")).PostAsJsonAsync($"/api/inspections/items/{itemId}/actions/Approve", new { });
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());

        // The confirmed finding is on the line's application.
        var findings = await (await driver.As("reviewer")).GetFromJsonAsync<JsonElement>($"/api/inspections/items/of-application/{application}");
        var finding = findings.EnumerateArray().Single();
        Assert.Equal("Confirmed", finding.GetProperty("finding").GetString());
        Assert.True(finding.GetProperty("reviewed").GetBoolean());
        Assert.Equal(itemRow.GetProperty("lineNo").GetInt32(), finding.GetProperty("lineNo").GetInt32());

        // The campaign concludes only when every item is closed.
        var supervisor = await driver.As("supervisor");
        Assert.Equal(HttpStatusCode.Conflict, (await supervisor.PostAsJsonAsync($"/api/inspections/campaigns/{id}/actions/Conclude", new { })).StatusCode);
    }

    [Fact]
    public async Task AnotherCountysCampaign_IsNotFound_AndCannotBeCreatedOutsideTheScope()
    {
        await PaidLinesAsync();
        var id = (await CreateAsync(seed: 5)).GetProperty("campaign").GetProperty("id").GetGuid();
        var drawn = await DrawAsync(id);
        var itemId = drawn.GetProperty("items")[0].GetProperty("id").GetGuid();

        // 康平县's supervisor: 法库县's campaign and its items do not exist for them.
        var kangping = await driver.As("finance.kangping");
        Assert.Equal(HttpStatusCode.NotFound, (await kangping.GetAsync($"/api/inspections/campaigns/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kangping.GetAsync($"/api/inspections/campaigns/{id}/reproduce")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kangping.GetAsync($"/api/inspections/items/{itemId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kangping.PostAsJsonAsync($"/api/inspections/campaigns/{id}/actions/Conclude", new { })).StatusCode);
        Assert.DoesNotContain((await kangping.GetFromJsonAsync<JsonElement>("/api/inspections/campaigns")).EnumerateArray(), c => c.GetProperty("id").GetGuid() == id);

        var outside = await kangping.PostAsJsonAsync("/api/inspections/campaigns", new
        {
            kind = "PostPayment", title = "越权", regionCode = "210124", policyCode = "arable-land-protection", share = 0.1m,
        });
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Contains("不在您的管辖范围内", await outside.Content.ReadAsStringAsync());

        var township = await (await driver.As("supervisor")).PostAsJsonAsync("/api/inspections/campaigns", new
        {
            kind = "PostPayment", title = "乡镇不符", regionCode = "210124", policyCode = "arable-land-protection", share = 0.1m, townships = new[] { "210123101" },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, township.StatusCode);
        Assert.Contains("乡镇（街道）第 1 项", await township.Content.ReadAsStringAsync());
    }
}
