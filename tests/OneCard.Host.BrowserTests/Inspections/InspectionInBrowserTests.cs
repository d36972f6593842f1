using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Domain.Applications;
using OneCard.Host.BrowserTests.Support;
using OneCard.Persistence;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Inspections;

/// <summary>
/// Issue 9 item 4 in the browser: the supervisor creates a post-payment campaign in three steps (范围 → 抽样 → 确认) and draws it;
/// the inspector opens a sampled item, works the checklist, uploads a PDF, records the finding and submits it for review.
/// </summary>
public sealed class InspectionInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static object[] Lines(string township, int count, int first) =>
        [.. Enumerable.Range(first, count).Select(i => Claims.Line($"核查{i:00}", Claims.Id($"2101241980{1 + i % 12:00}{1 + i % 28:00}{i:000}"), 5m + i, region: township))];

    private static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();

    [Fact]
    public async Task Supervisor_CreatesAndDrawsACampaign_InspectorRecordsAFindingWithAnAttachment()
    {
        await SubmitAsync(Lines("210124101", 6, 1));
        var clerk2 = await App.SignInAsync("clerk2");
        (await clerk2.PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = Lines("210124102", 4, 40) })).EnsureSuccessStatusCode();
        await App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines
            .Where(l => l.Outcome == LineOutcome.Eligible).ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid)));

        var page = await SignInAsync("supervisor", "/inspections");
        await Button(page, "新建核查批次").ClickAsync();
        var form = page.Locator("[data-testid=new-campaign]");
        await Assertions.Expect(form.Locator(".ant-steps-item-active")).ToContainTextAsync("范围");
        await page.Locator("#campaign-title").FillAsync("2026年耕地地力保护补贴事后专项核查");
        await page.Locator("#campaign-region").FillAsync("210124");
        await form.Locator(".ant-select").ClickAsync();
        await page.Locator(".ant-select-item-option", new() { HasText = "arable-land-protection" }).ClickAsync();
        await page.Locator("#campaign-period").FillAsync("2026");
        await Button(form, "下一步").ClickAsync();

        await Assertions.Expect(form.Locator(".ant-steps-item-active")).ToContainTextAsync("抽样");
        await Assertions.Expect(form.Locator("[data-testid=preview]")).ToContainTextAsync("符合条件 10 条");
        await page.Locator("#campaign-share").FillAsync("50");
        await page.Locator("#campaign-minimum").FillAsync("2");
        await page.Locator("#campaign-seed").FillAsync("20261205");
        await Button(form, "下一步").ClickAsync();

        await Assertions.Expect(form.Locator(".ant-steps-item-active")).ToContainTextAsync("确认");
        // 6 lines: max(2, ⌈3⌉) = 3; 4 lines: max(2, ⌈2⌉) = 2.
        await Assertions.Expect(form.Locator("[data-testid=preview]")).ToContainTextAsync("共抽取 5 条");
        await ShotAsync(page, "inspection-new-campaign.png");
        await Button(form, "创建并抽样").ClickAsync();

        await WaitUntilInteractiveAsync(page, "HC-210124");
        await Assertions.Expect(page.Locator("[data-testid=current-step]")).ToHaveTextAsync("核查中");
        await Assertions.Expect(page.Locator("[data-testid=seed]")).ToHaveTextAsync("20261205");
        await Assertions.Expect(page.Locator("[data-testid=counts]")).ToHaveTextAsync("10 / 5");
        await Assertions.Expect(page.Locator(".strata tr.ant-table-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".items tr.ant-table-row")).ToHaveCountAsync(5);
        await Button(page, "复现抽样").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=reproduction]")).ToContainTextAsync("一致：");
        await ShotAsync(page, "inspection-campaign.png");

        var campaignId = Guid.Parse(page.Url.TrimEnd('/').Split('/')[^1]);
        var supervisor = await App.SignInAsync("supervisor");
        var campaign = await supervisor.GetFromJsonAsync<JsonElement>($"/api/inspections/campaigns/{campaignId}");
        var itemId = campaign.GetProperty("items")[0].GetProperty("id").GetGuid();

        var inspector = await SignInAsync("inspector", $"/inspections/items/{itemId}");
        await Assertions.Expect(inspector.Locator("[data-testid=current-step]")).ToHaveTextAsync("现场核查");
        foreach (var box in await inspector.Locator("[data-testid=checklist] input[type=checkbox]").AllAsync()) await box.CheckAsync();
        await Button(inspector, "保存清单").ClickAsync();
        // Saved (and the page reloaded from the server) when the checklist no longer stands in the way.
        await Assertions.Expect(inspector.Locator("[data-testid=missing]")).ToContainTextAsync("附件");
        await Assertions.Expect(inspector.Locator("[data-testid=missing]")).Not.ToContainTextAsync("检查项");
        await Assertions.Expect(inspector.Locator("[data-testid=checklist] input[type=checkbox]:checked")).ToHaveCountAsync(4);

        await inspector.Locator("[data-upload=attachment]").SetInputFilesAsync(new FilePayload { Name = "照片.pdf", MimeType = "application/pdf", Buffer = [0x4D, 0x5A, 0x90, 0] });
        await Assertions.Expect(inspector.Locator("[data-testid=picked]")).ToHaveTextAsync("照片.pdf");
        await Button(inspector, "上传附件").ClickAsync();
        await Assertions.Expect(inspector.Locator("[data-testid=error]")).ToContainTextAsync("附件“照片.pdf”：只接受 PDF、JPEG 或 PNG 文件");
        await inspector.Locator("[data-upload=attachment]").SetInputFilesAsync(new FilePayload { Name = "入户核查记录.pdf", MimeType = "application/pdf", Buffer = Pdf });
        await Assertions.Expect(inspector.Locator("[data-testid=picked]")).ToHaveTextAsync("入户核查记录.pdf");
        await Button(inspector, "上传附件").ClickAsync();
        await Assertions.Expect(inspector.Locator(".attachments tr.ant-table-row")).ToContainTextAsync("入户核查记录.pdf");

        await inspector.GetByText("属实", new() { Exact = true }).ClickAsync();
        await inspector.Locator("#finding-text").FillAsync("实际种植面积小于申报面积，申报不实");
        await Button(inspector, "保存结论").ClickAsync();
        await Assertions.Expect(inspector.Locator("[data-testid=finding]")).ToHaveTextAsync("属实");
        await Button(inspector, "提交复核").ClickAsync();
        await Assertions.Expect(inspector.Locator("[data-testid=current-step]")).ToHaveTextAsync("核查复核");
        await ShotAsync(inspector, "inspection-item-submitted.png");

        var item = await supervisor.GetFromJsonAsync<JsonElement>($"/api/inspections/items/{itemId}");
        Assert.Equal("Confirmed", item.GetProperty("finding").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("inspector").GetString()));
        Assert.Single(item.GetProperty("attachments").EnumerateArray());
    }
}
