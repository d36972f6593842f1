using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneCard.Domain.Applications;
using OneCard.Host.BrowserTests.Support;
using OneCard.Persistence;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// Issue 10 item 8 for the public, registry and inspection pages: each shown in English with real data on it has no Chinese
/// of its own (only names, places, file names and what people wrote, marked as data). The public notice list and a notice with
/// its objection form and receipt are read on a phone (390 px) without sideways scrolling; then the reference snapshots, the
/// households, the township ledger, the inspection campaigns, a campaign and an item, each by the user who works there.
/// </summary>
public sealed class PublicAndRegistryPagesInEnglishBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static byte[] Csv(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");

    private static async Task AssertNoSidewaysScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{what} scrolls sideways at 390px: scrollWidth {widths[0]} > clientWidth {widths[1]}");
    }

    /// <summary>The user's language, chosen through the API (stored on the user): the next sign-in lands in English.</summary>
    private async Task ChooseEnglishAsync(string userName)
    {
        var client = await App.SignInAsync(userName);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/auth/language", new { language = "en" })).StatusCode);
    }

    [Fact]
    public async Task PublicNoticesOnAPhone_AndRegistryAndInspectionPages_ShowNoChineseOfTheirOwn_InEnglish()
    {
        // A case at publicity: a publicity notice (with its objection form) and a ledger with its lines.
        await DriveToPublicityAsync(Claims.FiveLines());
        using var anonymous = new HttpClient { BaseAddress = App.BaseAddress };
        var noticeId = (await anonymous.GetFromJsonAsync<JsonElement>("/api/public/notices")).EnumerateArray()
            .Single(n => n.GetProperty("kind").GetString() == "公示").GetProperty("id").GetGuid();

        // The public list on a phone, switched to English by the header's switch (the culture cookie).
        var phone = await NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await phone.GotoAsync(new Uri(App.BaseAddress, "/public").ToString());
        await WaitUntilInteractiveAsync(phone, "公示公开");
        await phone.Locator("[data-testid=language-en]").ClickAsync();
        await WaitUntilInteractiveAsync(phone, "Publicity and publication");
        await Assertions.Expect(phone.Locator("tr.ant-table-row")).ToHaveCountAsync(1);
        await Assertions.Expect(phone.Locator("tr.ant-table-row").First).ToContainTextAsync("Open for objections");
        await EnglishPages.AssertNoChineseOnPublicPageAsync(phone, Output, "Publicity notice", "Subsidy policy", "Total amount");
        await AssertNoSidewaysScrollAsync(phone, "the public notice list");

        // A notice and its objection form, then the receipt.
        await phone.GotoAsync(new Uri(App.BaseAddress, $"/public/{noticeId}").ToString());
        await WaitUntilInteractiveAsync(phone, "Publicity notice");
        await Assertions.Expect(phone.Locator("[data-testid=notice-status]")).ToHaveTextAsync("Open for objections");
        await EnglishPages.AssertNoChineseOnPublicPageAsync(phone, Output, "Raise an objection", "Objection to", "Contact phone", "To be paid", "Submit objection");
        await AssertNoSidewaysScrollAsync(phone, "the public notice page");
        await phone.Locator("#objection-line").SelectOptionAsync("3");
        await phone.Locator("#objection-text").FillAsync("此户土地已流转给合作社经营，不应再领取补贴");
        await phone.Locator("#objection-contact").FillAsync("13812345678");
        await Button(phone, "Submit objection").ClickAsync();
        await Assertions.Expect(phone.Locator("[data-testid=receipt-no]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^YY\d{8}-"));
        await Assertions.Expect(phone.Locator("[data-testid=objection-form]")).ToContainTextAsync("Objection to: line 3");
        await EnglishPages.AssertNoChineseOnPublicPageAsync(phone, Output, "Objection received", "Receipt number", "Raise another objection");
        await AssertNoSidewaysScrollAsync(phone, "the receipt");
        await ShotAsync(phone, "public-notice-english-390.png");

        // The public policy list, on the same phone.
        await phone.GotoAsync(new Uri(App.BaseAddress, "/public/policies").ToString());
        await WaitUntilInteractiveAsync(phone, "List of subsidy policies");
        await EnglishPages.AssertNoChineseOnPublicPageAsync(phone, Output, "Region", "Year");
        await AssertNoSidewaysScrollAsync(phone, "the public policy list");

        // The township ledger of the case, with its consistency check.
        await ChooseEnglishAsync("clerk");
        var ledger = await SignInAsync("clerk", "/registry/ledger?policy=arable-land-protection&period=2026&township=210124101");
        await WaitUntilInteractiveAsync(ledger, "Township subsidy ledger");
        await Assertions.Expect(ledger.Locator("[data-testid=ledger-consistency]")).ToHaveAttributeAsync("data-consistent", "true");
        await Assertions.Expect(ledger.Locator("[data-testid=ledger-lines] tr.ant-table-row")).ToHaveCountAsync(5);
        await EnglishPages.AssertNoChineseAsync(ledger, Output, "Consistent", "Review outcome", "On a publicity notice", "Not instructed");

        // Households: a file imported in English, the list and one household's members.
        await ChooseEnglishAsync("clerk.civil");
        var households = await SignInAsync("clerk.civil", "/registry/households");
        await WaitUntilInteractiveAsync(households, "Household registry");
        await households.Locator("[data-testid=upload-file]").SetInputFilesAsync(new FilePayload
        {
            Name = "households.csv", MimeType = "text/csv",
            Buffer = Csv("户号,姓名,身份证号,与户主关系,所属区划",
                $"H001,张大,{Claims.Id("21012419700101101")},户主,", $"H001,李二,{Claims.Id("21012419720202102")},配偶,"),
        });
        await households.Locator("[data-testid=upload-submit]").ClickAsync();
        await Assertions.Expect(households.Locator("[data-testid=upload-result]")).ToContainTextAsync("Imported 1 households with 2 people");
        await households.Locator("[data-testid=household][data-number=H001]").ClickAsync();
        await Assertions.Expect(households.Locator("[data-testid=member-relation]")).ToHaveTextAsync(["Head", "Spouse"]);
        await EnglishPages.AssertNoChineseAsync(households, Output, "Household number", "Relation to the head", "Date of birth");

        // Reference snapshots: one imported through the English page.
        await ChooseEnglishAsync("admin");
        var snapshots = await SignInAsync("admin", "/registry/snapshots");
        await WaitUntilInteractiveAsync(snapshots, "Reference data for cross-checks");
        await snapshots.Locator("[data-testid=upload-kind]").SelectOptionAsync("HouseholdRegistry");
        await snapshots.Locator("[data-testid=upload-region]").FillAsync("210124");
        await snapshots.Locator("[data-testid=upload-source]").FillAsync("Faku county police");
        await snapshots.Locator("[data-testid=upload-asof]").FillAsync("2026-02-27");
        await snapshots.Locator("[data-testid=upload-file]").SetInputFilesAsync(new FilePayload
        {
            Name = "registry.csv", MimeType = "text/csv",
            Buffer = Csv("身份证号,姓名,户籍地区代码,户籍状态", $"{Claims.Id("21012419800101123")},张三,210124101,正常"),
        });
        await snapshots.Locator("[data-testid=upload-submit]").ClickAsync();
        var modal = snapshots.Locator(".ant-modal-content");
        await Assertions.Expect(modal.Locator("[data-testid=confirm-text]")).ToContainTextAsync("first Household registry snapshot");
        await Button(modal, "Import").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(snapshots.Locator("[data-testid=snapshot-state][data-file='registry.csv']")).ToHaveAttributeAsync("data-current", "true");
        await EnglishPages.AssertNoChineseAsync(snapshots, Output, "Imported snapshots", "Household registry", "Current", "Required");

        // An inspection campaign over the case's lines, drawn: the list, the campaign with its reproduction, and an item.
        await App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines
            .Where(l => l.Outcome == LineOutcome.Eligible).ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid)));
        var supervisorApi = await App.SignInAsync("supervisor");
        var created = await supervisorApi.PostAsJsonAsync("/api/inspections/campaigns", new
        {
            kind = "PostPayment", title = "2026年耕地地力保护补贴事后专项核查", regionCode = "210124", policyCode = "arable-land-protection",
            period = "2026", share = 0.5m, minimumPerStratum = 1, seed = 20261205L,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("campaign").GetProperty("id").GetGuid();
        (await supervisorApi.PostAsJsonAsync($"/api/inspections/campaigns/{campaignId}/actions/Draw", new { })).EnsureSuccessStatusCode();
        var itemId = (await supervisorApi.GetFromJsonAsync<JsonElement>($"/api/inspections/campaigns/{campaignId}"))
            .GetProperty("items")[0].GetProperty("id").GetGuid();

        await ChooseEnglishAsync("supervisor");
        var inspections = await SignInAsync("supervisor", "/inspections");
        await WaitUntilInteractiveAsync(inspections, "Sample checks and inspections");
        await Assertions.Expect(inspections.Locator("tr.ant-table-row")).ToHaveCountAsync(1);
        await EnglishPages.AssertNoChineseAsync(inspections, Output, "Post-event special inspection", "Inspecting", "New inspection campaign");

        await inspections.GotoAsync(new Uri(App.BaseAddress, $"/inspections/{campaignId}").ToString());
        await WaitUntilInteractiveAsync(inspections, "HC-");
        await Assertions.Expect(inspections.Locator("[data-testid=current-step]")).ToHaveTextAsync("Inspecting");
        await Button(inspections, "Reproduce the draw").ClickAsync();
        await Assertions.Expect(inspections.Locator("[data-testid=reproduction]")).ToContainTextAsync("Consistent:");
        await EnglishPages.AssertNoChineseAsync(inspections, Output, "Strata (by township)", "Inspection items", "Random seed", "Inspect");

        await ChooseEnglishAsync("inspector");
        var item = await SignInAsync("inspector", $"/inspections/items/{itemId}");
        await WaitUntilInteractiveAsync(item, "Inspection item");
        await Assertions.Expect(item.Locator("[data-testid=current-step]")).ToHaveTextAsync("Inspect");
        await Assertions.Expect(item.Locator("[data-testid=missing]")).ToContainTextAsync("Verify the beneficiary's identity");
        await EnglishPages.AssertNoChineseAsync(item, Output, "Evidence checklist", "Attachments", "Save the finding", "Before submitting for review");
        await ShotAsync(item, "inspection-item-english.png");
    }
}
