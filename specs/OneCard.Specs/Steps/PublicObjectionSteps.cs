using System.Net;
using System.Net.Http.Json;
using OneCard.Specs.Support;

namespace OneCard.Specs.Steps;

/// <summary>异议.feature: objections as the public notice page lodges them — a contact, a receipt number, one open per line and contact.</summary>
[Binding]
public sealed class PublicObjectionSteps(ScenarioState state)
{
    private readonly List<string> receipts = [];
    private readonly List<string> contacts = [];

    [When(@"^联系电话为""(.+)""的群众对公示中的第(\d+)条明细提出异议：""(.+)""$")]
    public async Task Lodge(string contact, int lineNo, string text)
    {
        var notice = await PublicitySteps.Notice(state, "公示");
        var id = notice.GetProperty("notice").GetProperty("id").GetGuid();
        contacts.Add(contact);
        await state.Remember(await state.Public.PostAsJsonAsync($"/api/public/notices/{id}/objections", new { lineNo, text, contact }));
    }

    [Then(@"^异议已受理，得到回执号$")]
    public void ThenLodgedWithReceipt()
    {
        Assert.True(state.LastResponse!.StatusCode == HttpStatusCode.Created, state.LastBody);
        var receipt = state.LastJson.GetProperty("receiptNo").GetString()!;
        Assert.Matches(@"^YY\d{8}-[2-9A-HJKMNP-Z]{6}$", receipt);
        receipts.Add(receipt);
    }

    [Then(@"^拒绝理由为""(.+)""$")]
    public void ThenRefusedBecause(string title) => Assert.Equal(title, state.LastJson.GetProperty("title").GetString());

    [Then(@"^案件有(\d+)条未处理的异议，回执号各不相同$")]
    public async Task ThenOpenWithDistinctReceipts(int count)
    {
        var objections = (await state.Case("reviewer")).GetProperty("objections").EnumerateArray().ToList();
        Assert.Equal(count, objections.Count(o => o.GetProperty("status").GetString() == "Open"));
        Assert.Equal(count, receipts.Distinct().Count());
    }

    [Then(@"^审核人看到的联系电话均隐去了部分号码$")]
    public async Task ThenContactsMasked()
    {
        var body = (await state.Case("reviewer")).GetProperty("objections").GetRawText();
        foreach (var digits in contacts.Select(c => new string(c.Where(char.IsAsciiDigit).ToArray())).Distinct())
            Assert.DoesNotContain(digits[^8..], body, StringComparison.Ordinal);
        Assert.Contains("*", body, StringComparison.Ordinal);
    }

    [When(@"^公示期已过而计时任务尚未运行$")]
    public async Task PublicityPeriodPassed()
    {
        var notice = await PublicitySteps.Notice(state, "公示");
        state.AdvanceTo(notice.GetProperty("notice").GetProperty("objectionsCloseAt").GetDateTimeOffset().AddMinutes(1));
    }

    [Then(@"^公示状态为""(.+)""$")]
    public async Task ThenNoticeStatus(string status) =>
        Assert.Equal(status, (await PublicitySteps.Notice(state, "公示")).GetProperty("notice").GetProperty("status").GetString());
}
