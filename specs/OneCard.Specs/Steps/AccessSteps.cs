using System.Net;
using System.Net.Http.Json;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>Region scoping: nobody sees or touches a case outside their region.</summary>
[Binding]
public sealed class AccessSteps(ScenarioState state)
{
    [Then(@"^" + Words.Who + @"(\S+) 能看到该案件$")]
    public async Task ThenSees(string user)
    {
        var detail = await state.Case(user);
        Assert.Equal(state.CaseId, detail.GetProperty("case").GetProperty("id").GetGuid());
        Assert.Contains(state.CaseId, (await state.GetJson(user, "/api/applications")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
    }

    [Then(@"^" + Words.Who + @"(\S+) 查看该案件得到404$")]
    public async Task ThenNotFound(string user)
    {
        var client = await state.As(user);
        using var response = await client.GetAsync($"/api/applications/{state.CaseId}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        // A 404 that named the case or its people would leak what the 404 hides.
        Assert.DoesNotContain(state.Roster[0].Name, body, StringComparison.Ordinal);
    }

    [Then(@"^" + Words.Who + @"(\S+) 的申报列表中没有该案件$")]
    public async Task ThenNotListed(string user) =>
        Assert.Empty((await state.GetJson(user, "/api/applications")).EnumerateArray());

    [Then(@"^" + Words.Who + @"(\S+) 对该案件执行""(\w+)""得到404$")]
    public async Task ThenActNotFound(string user, string action)
    {
        var client = await state.As(user);
        using var response = await client.PostAsJsonAsync($"/api/applications/{state.CaseId}/actions/{action}", new { comment = "越权" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = await state.Case("reviewer");
        Assert.Equal("CountyReview", detail.GetProperty("case").GetProperty("step").GetString());
    }
}
