using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Users;
using OneCard.Persistence;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>The policy list (补贴政策清单): public reading, drafting, located share errors, publishing by the region's officer only.</summary>
[Binding]
public sealed class PolicyListSteps(ScenarioState state)
{
    private JsonElement list;
    private JsonElement diff;
    private Guid draftId;
    private HttpResponseMessage? response;

    [StepDefinition(@"^未登录的公众查看(\d{6})地区(\d{4})年的政策清单$")]
    public async Task ReadPublic(string region, int year)
    {
        var anonymous = state.App.CreateClient();
        list = await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/policy-lists?region={region}&year={year}");
        diff = await anonymous.GetFromJsonAsync<JsonElement>($"/api/public/policy-lists/{list.GetProperty("id").GetGuid()}/diff");
    }

    [StepDefinition(@"^未登录的公众查不到(\d{6})地区(\d{4})年的政策清单$")]
    public async Task NotPublic(string region, int year)
    {
        using var found = await state.App.CreateClient().GetAsync($"/api/public/policy-lists?region={region}&year={year}");
        Assert.Equal(HttpStatusCode.NotFound, found.StatusCode);
    }

    [StepDefinition(@"^清单共有(\d+)项，其中包括""(.+)""$")]
    public void ListHas(int count, string name)
    {
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(count, items.Count);
        Assert.Contains(name, items.Select(i => i.GetProperty("nameZh").GetString()));
    }

    [StepDefinition(@"^与上年对比调整了""(.+)""，(\S+)由含""(.+)""的文字改为含""(.+)""的文字$")]
    public void Changed(string name, string fieldZh, string before, string after)
    {
        var item = diff.GetProperty("changed").EnumerateArray().Single(c => c.GetProperty("nameZh").GetString() == name);
        var field = item.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("fieldZh").GetString() == fieldZh);
        Assert.Contains(before, field.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Contains(after, field.GetProperty("after").GetString(), StringComparison.Ordinal);
    }

    [StepDefinition(@"^政策管理员 (\S+) 新建了(\d{4})年清单草稿$")]
    public async Task CreateDraft(string user, int year)
    {
        using var created = await (await state.As(user)).PostAsJsonAsync("/api/policy-lists", new { regionCode = "210000", year });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        draftId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [StepDefinition(@"^政策管理员 (\S+) 将草稿中""(.+)""的分担比例设为中央(\d+)、省(\d+)、市(\d+)、县(\d+)$")]
    public async Task SetShares(string user, string code, decimal central, decimal provincial, decimal city, decimal county)
    {
        var client = await state.As(user);
        var current = (await client.GetFromJsonAsync<JsonElement>($"/api/policy-lists/{draftId}")).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("code").GetString() == code);
        string? S(string name) => current.GetProperty(name).GetString();
        response = await client.PutAsJsonAsync($"/api/policy-lists/{draftId}/items/{code}", new
        {
            nameZh = S("nameZh"), departmentCode = S("departmentCode"), basis = S("basis"), target = S("target"), targetText = S("targetText"),
            standardText = S("standardText"), amount = current.GetProperty("amount").ValueKind == JsonValueKind.Null ? (decimal?)null : current.GetProperty("amount").GetDecimal(),
            unit = S("unit"), centralShare = central, provincialShare = provincial, cityShare = city, countyShare = county,
            frequency = S("frequency"), paymentMonths = S("paymentMonths"), status = S("status"), source = S("source"),
        });
    }

    [StepDefinition(@"^保存被拒绝，位置为""(.+)""，原因为""(.+)""$")]
    public async Task Refused(string field, string message)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response!.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal((field, message), (error.GetProperty("field").GetString(), error.GetProperty("message").GetString()));
    }

    [StepDefinition(@"^(?:政策管理员 )?(\S+) 发布该草稿$")]
    public async Task Publish(string user) =>
        response = await (await state.As(user)).PostAsync($"/api/policy-lists/{draftId}/publish", null);

    [StepDefinition(@"^大连市有政策管理员 (\S+)$")]
    public async Task DalianOfficer(string userName) =>
        await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User { Id = "u-" + userName, UserName = userName, DisplayName = userName, RegionCode = "210200", PasswordHash = "" }
                .Grant(Roles.PolicyOfficer, "test", DateTimeOffset.UnixEpoch);
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Host.Demo.DemoData.Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });

    [StepDefinition(@"^发布被拒绝（403），原因包含""(.+)""$")]
    public async Task PublishRefused(string text)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response!.StatusCode);
        Assert.Contains(text, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
