using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Domain.Cases;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Cases;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Cases;

/// <summary>The county reviewer selects every open objection in the table and resolves them together (issue 5, finding 3).</summary>
public sealed class ObjectionsInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task Reviewer_ResolvesTwelveObjectionsAtOnce_ThenTheCaseGoesToFinance()
    {
        var id = await DriveToPublicityAsync(Claims.FiveLines());

        var anonymous = App.CreateClient(new() { BaseAddress = App.BaseAddress });
        var noticeId = (await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices")).EnumerateArray().Single().GetProperty("id").GetGuid();
        for (var i = 0; i < 12; i++)
        {
            var lodged = await anonymous.PostAsJsonAsync($"/api/public/notices/{noticeId}/objections", new { lineNo = 1, text = $"第{i + 1}位村民：此户土地已流转", contact = $"1380000{i:0000}" });
            Assert.Equal(HttpStatusCode.Created, lodged.StatusCode);
        }
        App.Clock.Advance(TimeSpan.FromDays(8));
        await App.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);

        var page = await OpenCaseAsync("reviewer", id);
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("异议处理");
        await Button(page, "全选未处理（12）").ClickAsync();
        await Button(page, "处理所选异议（12）").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=objection-confirm]")).ToContainTextAsync("将处理 12 条异议");
        await modal.GetByRole(AriaRole.Radio, new() { Name = "异议不成立", Exact = true }).CheckAsync();
        await modal.Locator("textarea").FillAsync("经村组核实，申报情况属实");
        await ShotAsync(page, "objections-bulk.png");
        await Button(modal, "确定处理").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("tr.ant-table-row", new() { HasText = "经村组核实，申报情况属实" })).ToHaveCountAsync(12);

        await Button(page, "办结").ClickAsync();
        await Assertions.Expect(modal.Locator("[data-testid=confirm-consequence]")).ToHaveTextAsync("办结后案件将转“财政程序性复核”。");
        await Button(modal, "确定办结").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("财政程序性复核");
        Assert.All((await DetailAsync("reviewer", id)).GetProperty("objections").EnumerateArray(), o => Assert.Equal("Dismissed", o.GetProperty("status").GetString()));
    }
}
