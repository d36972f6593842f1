using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Users;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Policies;

/// <summary>
/// The policy list (补贴政策清单) API on PostgreSQL: seeded at start-up from policies/, read publicly when published,
/// drafted, edited and published only by the list region's policy officers, shares validated and located, diff per year.
/// </summary>
public sealed class PolicyListTests
{
    private static string[] EightCodes =>
    [
        "arable-land-protection", "corn-soybean-producer", "minimum-living-allowance", "extreme-poverty-support",
        "disabled-living-allowance", "severe-disability-care", "elderly-longevity-allowance", "rural-family-planning-reward",
    ];

    /// <summary>The 高龄津贴 item as the form sends it, with the given standard and shares.</summary>
    private static object Elderly(string standard, decimal? amount, decimal?[] shares) => new
    {
        code = "elderly-longevity-allowance", nameZh = "高龄津贴", departmentCode = "LN-CIVIL", basis = "辽宁省级文件文号：未找到公开来源",
        target = "Person", targetText = "80周岁以上老年人", standardText = standard, amount, unit = "元/人月",
        centralShare = shares[0], provincialShare = shares[1], cityShare = shares[2], countyShare = shares[3],
        frequency = "按月", paymentMonths = "1-12", status = "Active", source = "测试",
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AddUserAsync(OneCardApp app, string userName, string role, string region) =>
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User { Id = "u-" + userName, UserName = userName, DisplayName = userName, RegionCode = region, PasswordHash = "" }
                .Grant(role, "test", DateTimeOffset.UnixEpoch);
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Host.Demo.DemoData.Password);
            db.Users.Add(user);
            await db.SaveChangesAsync();
            return true;
        });

    [Fact]
    public async Task StartUp_SeedsDepartments_TheProvinceLists_AndEightPolicies_Once_EvenWithASecondHost()
    {
        await using var app = await OneCardApp.StartAsync();
        await using (var other = await OneCardApp.StartAsync(database: app.ConnectionString)) { }

        var (departments, lists, policies) = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.Departments.Select(d => d.Code).OrderBy(c => c).ToListAsync(),
                await db.PolicyLists.Select(l => new { l.RegionCode, l.Year, l.Version, l.Status }).ToListAsync(),
                await db.Policies.OrderBy(p => p.Code).Select(p => new { p.Code, p.DepartmentCode, p.WorkflowDefinitionId }).ToListAsync());
        });
        Assert.Equal(["LN-AGRI", "LN-CIVIL", "LN-DPF", "LN-FIN", "LN-HEALTH"], departments);
        Assert.Equal(2, lists.Count);
        Assert.All(lists, l => Assert.Equal(("210000", 1, "Published"), (l.RegionCode, l.Version, l.Status.ToString())));
        Assert.Equal(EightCodes.Order(StringComparer.Ordinal), policies.Select(p => p.Code));
        Assert.All(policies, p => Assert.Equal("standard-subsidy", p.WorkflowDefinitionId));
        Assert.Equal("LN-HEALTH", policies.Single(p => p.Code == "rural-family-planning-reward").DepartmentCode);
        Assert.Equal("LN-DPF", policies.Single(p => p.Code == "severe-disability-care").DepartmentCode);
    }

    [Fact]
    public async Task PublicRead_NeedsNoSignIn_ShowsTheListColumns_AndTheRealChangeAgainst2025()
    {
        await using var app = await OneCardApp.StartAsync();
        var anonymous = app.CreateClient();

        var list = await anonymous.GetFromJsonAsync<JsonElement>("/api/public/policy-lists?region=210000&year=2026");

        Assert.Equal((2026, "Published"), (list.GetProperty("year").GetInt32(), list.GetProperty("status").GetString()));
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(EightCodes, items.Select(i => i.GetProperty("code").GetString()));
        var elderly = items.Single(i => i.GetProperty("code").GetString() == "elderly-longevity-allowance");
        Assert.Equal(("辽宁省民政厅", 50m, "元/人月", "未找到公开来源"), (elderly.GetProperty("departmentZh").GetString(),
            elderly.GetProperty("amount").GetDecimal(), elderly.GetProperty("unit").GetString(), elderly.GetProperty("sharesText").GetString()));

        var diff = await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/policy-lists/{list.GetProperty("id").GetGuid()}/diff");
        Assert.Equal(2025, diff.GetProperty("previousYear").GetInt32());
        Assert.Equal(0, diff.GetProperty("added").GetArrayLength());
        Assert.Equal(0, diff.GetProperty("removed").GetArrayLength());
        var changed = diff.GetProperty("changed").EnumerateArray().ToList();
        Assert.Equal(["minimum-living-allowance", "extreme-poverty-support"], changed.Select(c => c.GetProperty("code").GetString()));
        var standard = changed[0].GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "standardText");
        Assert.Contains("城市972元/人月", standard.GetProperty("before").GetString());
        Assert.Contains("城市1011元/人月", standard.GetProperty("after").GetString());
        Assert.Equal("与2025年清单（第1版）相比：新增0项，取消0项，调整2项", diff.GetProperty("summaryZh").GetString());
    }

    [Fact]
    public async Task Draft_IsInvisiblePublicly_ItsSharesAreValidatedLocated_AndPublishingShowsTheDiff_Audited()
    {
        await using var app = await OneCardApp.StartAsync();
        var policy = await app.SignInAsync("policy");
        var anonymous = app.CreateClient();

        var draft = await Json(await policy.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year = 2027 }));
        var id = draft.GetProperty("id").GetGuid();
        Assert.Equal(("Draft", 1, 8), (draft.GetProperty("status").GetString(), draft.GetProperty("version").GetInt32(), draft.GetProperty("items").GetArrayLength()));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/public/policy-lists?region=210000&year=2027")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/public/policy-lists/{id}/diff")).StatusCode);
        // A second draft for the same year is refused: one draft at a time.
        Assert.Equal(HttpStatusCode.Conflict, (await policy.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year = 2027 })).StatusCode);

        var bad = await policy.PutAsJsonAsync($"/api/policy-lists/{id}/items/elderly-longevity-allowance",
            Elderly("80–89周岁不低于60元/人月", 60m, [50m, 30m, 10m, 0m]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("PolicyListInvalid", problem.GetProperty("code").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(("items[6].shares", "SharesNotHundred"), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal("第7项“高龄津贴”：资金分担比例合计应为100%，实为90%（中央50%、省30%、市10%、县0%）", error.GetProperty("message").GetString());

        var saved = await Json(await policy.PutAsJsonAsync($"/api/policy-lists/{id}/items/elderly-longevity-allowance",
            Elderly("80–89周岁不低于60元/人月", 60m, [50m, 30m, 10m, 10m])));
        Assert.Equal("中央50%、省30%、市10%、县10%", saved.GetProperty("items")[6].GetProperty("sharesText").GetString());
        await Json(await policy.DeleteAsync($"/api/policy-lists/{id}/items/corn-soybean-producer"));

        var published = await Json(await policy.PostAsync($"/api/policy-lists/{id}/publish", null));
        Assert.Equal("Published", published.GetProperty("status").GetString());
        // Published means immutable: a further change is refused, a correction is a new version.
        var late = await policy.PutAsJsonAsync($"/api/policy-lists/{id}/items/elderly-longevity-allowance", Elderly("x", 1m, [100m, 0m, 0m, 0m]));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("已发布，不能修改", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString() + await late.Content.ReadAsStringAsync());
        var correction = await Json(await policy.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year = 2027 }));
        Assert.Equal((2, 7), (correction.GetProperty("version").GetInt32(), correction.GetProperty("items").GetArrayLength()));

        var diff = await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/policy-lists/{id}/diff");
        Assert.Equal(["corn-soybean-producer"], diff.GetProperty("removed").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        var change = Assert.Single(diff.GetProperty("changed").EnumerateArray());
        Assert.Equal("elderly-longevity-allowance", change.GetProperty("code").GetString());
        var fields = change.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!,
            c => (c.GetProperty("before").GetString(), c.GetProperty("after").GetString()));
        Assert.Equal(("50元/人月", "60元/人月"), fields["amount"]);
        Assert.Equal(("未找到公开来源", "中央50%、省30%、市10%、县10%"), fields["shares"]);
        Assert.Equal("80–89周岁不低于60元/人月", fields["standardText"].Item2);

        var actions = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.AsNoTracking()
            .Where(e => e.EntityType == "PolicyList" && e.EntityId == id.ToString()).OrderBy(e => e.Seq).Select(e => e.Action + "/" + e.ActorId).ToListAsync());
        Assert.Equal(["PolicyListDraftCreated/u-policy", "PolicyListItemChanged/u-policy", "PolicyListItemRemoved/u-policy", "PolicyListPublished/u-policy"], actions);
    }

    [Fact]
    public async Task Publishing_IsRefusedToOtherRoles_AndToAnotherRegionsOfficer_InChinese()
    {
        await using var app = await OneCardApp.StartAsync();
        await AddUserAsync(app, "policy.dalian", Roles.PolicyOfficer, "210200");
        var policy = await app.SignInAsync("policy");
        var draft = await Json(await policy.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year = 2027 }));
        var id = draft.GetProperty("id").GetGuid();

        var admin = await app.SignInAsync("admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync($"/api/policy-lists/{id}/publish", null)).StatusCode);
        var dalian = await app.SignInAsync("policy.dalian");
        var refused = await dalian.PostAsync($"/api/policy-lists/{id}/publish", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("不能发布清单：该清单属于辽宁省", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await dalian.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year = 2028 })).StatusCode);
        // Another region's officer does not see the province's draft either.
        Assert.Equal(HttpStatusCode.NotFound, (await dalian.GetAsync($"/api/policy-lists/{id}")).StatusCode);

        var status = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PolicyLists.Where(l => l.Id == id).Select(l => l.Status).SingleAsync());
        Assert.Equal("Draft", status.ToString());
    }

    [Fact]
    public async Task CityList_InheritsTheProvinceItems_ReadOnly_AndAddsItsOwn()
    {
        await using var app = await OneCardApp.StartAsync();
        await AddUserAsync(app, "policy.dalian", Roles.PolicyOfficer, "210200");
        var dalian = await app.SignInAsync("policy.dalian");

        var draft = await Json(await dalian.PostAsJsonAsync("/api/policy-lists", new { regionCode = "210200", year = 2026 }));
        var id = draft.GetProperty("id").GetGuid();
        Assert.All(draft.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("inherited").GetBoolean()));
        Assert.Equal(8, draft.GetProperty("items").GetArrayLength());

        // Rewriting a province item at city level is refused, located; an inherited item cannot be removed.
        var rewrite = await dalian.PutAsJsonAsync($"/api/policy-lists/{id}/items/elderly-longevity-allowance", Elderly("100元", 100m, [null, null, null, null]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rewrite.StatusCode);
        Assert.Contains("PolicyCodeInherited", await rewrite.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await dalian.DeleteAsync($"/api/policy-lists/{id}/items/elderly-longevity-allowance")).StatusCode);

        await Json(await dalian.PutAsJsonAsync($"/api/policy-lists/{id}/items/dalian-centenarian-allowance", new
        {
            nameZh = "百岁老人长寿补贴（大连）", departmentCode = "LN-CIVIL", basis = "大民发〔2014〕56号", target = "Person", targetText = "100周岁以上老年人",
            standardText = "相当于城市低保标准（2025年7月1日起1011元/人月）", amount = 1011m, unit = "元/人月", sharesNote = "未找到公开来源",
            frequency = "按月", paymentMonths = "1,2,3,4,5,6,7,8,9,10,11,12", status = "Active", source = "https://m.ejbk.net/news/mGAoMbyQKk.html",
        }));
        var published = await Json(await dalian.PostAsync($"/api/policy-lists/{id}/publish", null));
        var items = published.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(9, items.Count);
        var local = items[8];
        Assert.Equal(("dalian-centenarian-allowance", false, "市级", "1-12"), (local.GetProperty("code").GetString(),
            local.GetProperty("inherited").GetBoolean(), local.GetProperty("levelZh").GetString(), local.GetProperty("paymentMonths").GetString()));

        var open = await app.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/policy-lists?region=210200&year=2026");
        Assert.Equal(9, open.GetProperty("items").GetArrayLength());
        var row = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Policies.SingleAsync(p => p.Code == "dalian-centenarian-allowance"));
        Assert.Equal(("210200", "City", "standard-subsidy"), (row.RegionCode, row.Level.ToString(), row.WorkflowDefinitionId));
    }
}
