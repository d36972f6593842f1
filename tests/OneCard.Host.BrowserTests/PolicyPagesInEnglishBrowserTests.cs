using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// Issue 10 item 8 for the policy officer's and the administrator's pages: with English chosen, the rule set list, a draft
/// version with its approval evidence, the impact run of that draft over stored lines, the editor (facts, tables with tiers,
/// rules, amount, examples), the policy list with its diff and edit form, the holiday calendar and the users page show no
/// Chinese of their own. What stays Chinese is data (names, places, 文号, the rule set's own texts), marked as such.
/// </summary>
public sealed class PolicyPagesInEnglishBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    [Fact]
    public async Task PolicyOfficer_InEnglish_RuleSetAndPolicyPagesWithDataShowNoChinese()
    {
        // Last period's stored lines (法库县, under v2), a draft v3 raising 法库县's rate, and an impact run of it over 2025.
        var stored = await (await App.SignInAsync("clerk")).PostAsJsonAsync("/api/applications",
            new { policyCode = "arable-land-protection", period = "2025", lines = Claims.FiveLines() });
        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
        var officer = await App.SignInAsync("policy");
        var v3 = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v2.json")))!.AsObject();
        v3["version"] = 3;
        v3["tables"]!["rates.byCounty"]!["210124"] = 100m;
        Assert.Equal(HttpStatusCode.Created, (await officer.PostAsync("/api/rulesets/arable-land-protection/drafts?effectiveFrom=2026-03-10",
            new StringContent(v3.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        var run = await officer.PostAsJsonAsync("/api/rulesets/arable-land-protection/3/impact", new { period = "2025" });
        Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await officer.PutAsJsonAsync("/api/auth/language", new { language = "en" })).StatusCode);

        var page = await SignInAsync("policy", "/rulesets");
        await WaitUntilInteractiveAsync(page, "Rule sets");
        var table = page.Locator("[data-testid=rule-sets]");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v3" })).ToContainTextAsync("Draft");
        await Assertions.Expect(table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v2" })).ToContainTextAsync("Effective");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Rule sets", "Applies to new applications", "Superseded");

        // The draft: its status, history and the evidence a submission would record (the run above).
        await table.Locator("tr", new() { HasText = "arable-land-protection" }).Filter(new() { HasText = "v3" }).GetByText("View").ClickAsync();
        await WaitUntilInteractiveAsync(page, "v3");
        await Assertions.Expect(page.GetByTestId("rule-set-status")).ToHaveTextAsync("Draft");
        await Assertions.Expect(page.GetByTestId("evidence-runs")).ToContainTextAsync("Stored lines");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Approval history", "Approval evidence: impact runs", "Drafting", "Export JSON");

        // Its impact run: cards, changed lines, counties, townships, months.
        await page.GetByTestId("impact-link").ClickAsync();
        await WaitUntilInteractiveAsync(page, "Impact run");
        await Assertions.Expect(page.Locator("[data-testid=impact-result][data-source=Stored]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("impact-lines")).ToContainTextAsync("Amount up");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Run over stored lines", "Changed lines", "By county", "By township", "stored lines of period 2025");

        // The editor on 高龄津贴: computed facts, a tier builder with its amount grid, rules, amount and examples.
        await page.GotoAsync(new Uri(App.BaseAddress, "/rulesets/elderly-longevity-allowance/edit?from=1").ToString());
        await WaitUntilInteractiveAsync(page, "Edit rule set");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("saved as draft v2");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Basics", "Policy code", "Generated JSON (read-only)");
        foreach (var (tab, words) in new (string, string[])[]
        {
            ("Facts", ["Computed as", "Add fact"]),
            ("Tables", ["Tiered amount:", "Tier bound (≥)", "Meaning:", "Standard by region and year"]),
            ("Eligibility rules", ["Written as", "Message when not met", "Add rule"]),
            ("Amount", ["Amount formula", "Rounding"]),
            ("Examples", ["Example 1", "Expected outcome", "Add example"]),
        })
        {
            await page.GetByRole(AriaRole.Tab, new() { Name = tab }).ClickAsync();
            await Assertions.Expect(page.Locator(".ant-tabs-tabpane-active").GetByText(words[0], new() { Exact = false }).First).ToBeVisibleAsync();
            await EnglishPages.AssertNoChineseAsync(page, Output, words);
        }
        await ShotAsync(page, "rule-set-editor-english.png");

        // The policy list: 2026 against 2025 (the seeded change), and an item's edit form.
        await page.GotoAsync(new Uri(App.BaseAddress, "/policies").ToString());
        await WaitUntilInteractiveAsync(page, "Policy list");
        await Assertions.Expect(page.GetByTestId("list-title")).ToContainTextAsync("2026, version 1");
        await Assertions.Expect(page.GetByTestId("staff-diff")).ToContainTextAsync("2 changed");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Policy list", "Compared with last year", "Funding shares", "Published");
        await ShotAsync(page, "policy-list-english.png");

        // A new 2027 draft, and one of its items in the edit form (departments and frequencies in English).
        await Button(page, "New draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("list-title")).ToContainTextAsync("2027, version 1");
        await Assertions.Expect(page.GetByTestId("list-title")).ToContainTextAsync("Draft");
        await Button(page.Locator("[data-testid=policy-items] tr.ant-table-row").First, "Edit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("item-form")).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(page, Output, "Edit list item", "Funding shares (%", "Payment months", "Monthly");
    }

    [Fact]
    public async Task Administrator_InEnglish_CalendarAndUsersShowNoChinese()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await (await App.SignInAsync("admin")).PutAsJsonAsync("/api/auth/language", new { language = "en" })).StatusCode);

        var page = await SignInAsync("admin", "/admin/calendar");
        await WaitUntilInteractiveAsync(page, "Holiday calendar");
        await Assertions.Expect(page.Locator("[data-testid=calendar-years] tr.ant-table-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=calendar-years] tr.ant-table-row").Nth(1)).ToContainTextAsync("Shipped with the release");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Years covered", "Enter a year's notice", "Make-up workdays");

        await page.GotoAsync(new Uri(App.BaseAddress, "/admin/users").ToString());
        await WaitUntilInteractiveAsync(page, "Users and roles");
        var rows = page.Locator("[data-testid=users] tr.ant-table-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        await page.Locator("[data-testid=filter-text]").FillAsync("reviewer.kangping");
        await page.Locator("[data-testid=filter-apply]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("County reviewer");
        await Assertions.Expect(rows.First).ToContainTextAsync("Agriculture");
        await rows.First.Locator("[data-testid=grant-role]").SelectOptionAsync("Supervisor");
        await rows.First.Locator("[data-testid=grant]").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("Grant user reviewer.kangping");
        // The title renders with the dialog's opening; wait for it before reading the page's text.
        await Assertions.Expect(modal.Locator(".ant-modal-title")).ToHaveTextAsync("Confirm granting the role");
        await EnglishPages.AssertNoChineseAsync(page, Output, "Users and roles", "Grant a role", "Confirm granting the role", "Supervisor");
        await Button(modal, "OK").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
        await Assertions.Expect(rows.First.Locator("[data-testid=role-tag]")).ToHaveCountAsync(2);

        // All users, unfiltered: every region's name and every organisation is data; the rest is English.
        await page.Locator("[data-testid=filter-text]").FillAsync("");
        await page.Locator("[data-testid=filter-apply]").ClickAsync();
        await Assertions.Expect(rows.Nth(1)).ToBeVisibleAsync();
        await EnglishPages.AssertNoChineseAsync(page, Output, "Users and roles", "Township clerk");
        await ShotAsync(page, "users-english.png");
    }
}
