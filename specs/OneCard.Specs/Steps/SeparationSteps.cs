using System.Net.Http.Json;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Separation of duties (职责分离): what a user who prepared a case may no longer do on it.</summary>
[Binding]
public sealed class SeparationSteps(ScenarioState state)
{
    [When(@"^" + Words.Who + @"(\S+) 尝试执行""(\w+)""$")]
    public async Task TryAct(string user, string action)
    {
        var client = await state.As(user);
        await state.Remember(await client.PostAsJsonAsync($"/api/applications/{state.CaseId}/actions/{action}", new { comment = "同意" }));
    }

    [Then(@"^" + Words.Who + @"(\S+) 对该案件没有可办理的操作$")]
    public async Task ThenNoActions(string user) =>
        Assert.Empty((await state.Case(user)).GetProperty("permittedActions").EnumerateArray());

    [Then(@"^" + Words.Who + @"(\S+) 对该案件可以执行""(.+)""$")]
    public async Task ThenActions(string user, string actions) =>
        Assert.Equal(actions.Split('、'), (await state.Case(user)).GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));

    [Then(@"^拒绝原因为""(.+)""$")]
    public void ThenReason(string reason) => Assert.Equal(reason, state.LastJson.GetProperty("title").GetString());
}
