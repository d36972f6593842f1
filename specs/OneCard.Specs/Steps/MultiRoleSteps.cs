using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Users;
using OneCard.Host.Components.Shared;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Users holding several roles (多角色用户): cases named by a label (甲, 乙 …) so a scenario can speak of several.</summary>
[Binding]
public sealed class MultiRoleSteps(ScenarioState state)
{
    private readonly Dictionary<string, Guid> cases = [];

    [Given(@"^大孤家子镇农业农村用户 (\S+) 同时持有""(.+)""角色$")]
    public async Task GivenUserWithRoles(string userName, string rolesZh)
    {
        var roles = rolesZh.Split('、').Select(zh => Roles.Human.SingleOrDefault(r => RoleNames.Zh(r) == zh)
            ?? throw new ArgumentException($"Unknown role '{zh}'.", nameof(rolesZh))).ToList();
        await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User
            {
                Id = "u-" + userName, UserName = userName, DisplayName = userName, RegionCode = Host.Demo.DemoData.Township,
                DepartmentCode = DepartmentCodes.Agriculture, PasswordHash = "",
            };
            foreach (var role in roles) user.Grant(role, "spec", state.App.Clock.GetUtcNow());
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Host.Demo.DemoData.Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });
    }

    [Given(@"^" + Words.Who + @"(\S+) 提交了一份花名册，记为""(.+)""$")]
    [When(@"^" + Words.Who + @"(\S+) 提交了一份花名册，记为""(.+)""$")]
    public async Task Submit(string user, string label)
    {
        var response = await (await state.As(user)).PostAsJsonAsync("/api/applications",
            new { policyCode = Host.Demo.DemoData.PolicyCode, period = "2026", lines = Claims.FiveLines() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        cases[label] = state.CaseId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    [Given(@"^" + Words.Who + @"(\S+) 通过了""(.+)""的乡镇审核$")]
    public Task GivenTownshipApproved(string user, string label) => Act(user, label, "Approve");

    [When(@"^" + Words.Who + @"(\S+) 办理""(.+)""，执行""(\w+)""$")]
    public async Task Act(string user, string label, string action)
    {
        var response = await (await state.As(user)).PostAsJsonAsync($"/api/applications/{cases[label]}/actions/{action}", new { comment = "同意" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Then(@"^(\S+) 的待办中有""(.+)""的""(.+)""任务$")]
    public async Task ThenInboxHas(string user, string label, string stepTitle)
    {
        var tasks = await InboxAsync(user);
        Assert.Contains(tasks, t => t.GetProperty("applicationId").GetGuid() == cases[label] && t.GetProperty("stepTitle").GetString() == stepTitle
            && !t.GetProperty("isEscalated").GetBoolean());
    }

    [Then(@"^(\S+) 的待办中没有""(.+)""$")]
    public async Task ThenInboxLacks(string user, string label) =>
        Assert.DoesNotContain(await InboxAsync(user), t => t.GetProperty("applicationId").GetGuid() == cases[label]);

    [Then(@"^""(.+)""处于""(.+)""环节$")]
    public async Task ThenLabelledStep(string label, string stepTitle) =>
        Assert.Equal(stepTitle, (await state.GetJson("reviewer", $"/api/applications/{cases[label]}")).GetProperty("case").GetProperty("stepTitle").GetString());

    private async Task<List<JsonElement>> InboxAsync(string user) =>
        [.. (await state.GetJson(user, "/api/tasks?pageSize=500")).EnumerateArray()];
}
