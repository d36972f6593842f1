using System.Text;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using OneCard.Testing;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Registry;

/// <summary>Issue 9 (households): the township's 民政 clerk uploads a household file on 家庭户底册, a refused file shows its located
/// errors, a good one lists the households (head masked, member count), and one household's members open masked.</summary>
public sealed class HouseholdsInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static byte[] Csv(params string[] rows) =>
        Encoding.UTF8.GetBytes(string.Join("\r\n", ["户号,姓名,身份证号,与户主关系,所属区划", .. rows]) + "\r\n");

    [Fact]
    public async Task Clerk_UploadsHouseholds_SeesTheRefusedFilesErrors_ThenTheListAndOneHouseholdsMembers()
    {
        var head = Claims.Id("21012419700101101");
        var spouse = Claims.Id("21012419720202102");
        var other = Claims.Id("21012419500404104");
        var page = await SignInAsync("clerk.civil", "/registry/households");
        await WaitUntilInteractiveAsync(page, "家庭户底册");

        await page.Locator("[data-testid=upload-file]").SetInputFilesAsync(new FilePayload
        {
            Name = "households.csv", MimeType = "text/csv", Buffer = Csv($"H001,张大,{head},户主,", $"H001,李二,{spouse},户主,"),
        });
        await page.Locator("[data-testid=upload-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=upload-error]")).ToContainTextAsync("导入被拒绝");
        await Assertions.Expect(page.Locator("[data-testid=line-errors]")).ToContainTextAsync("户号 H001 有两名户主");

        await page.Locator("[data-testid=upload-file]").SetInputFilesAsync(new FilePayload
        {
            Name = "households.csv", MimeType = "text/csv", Buffer = Csv($"H001,张大,{head},户主,", $"H001,李二,{spouse},配偶,", $"H002,王老,{other},户主,"),
        });
        await page.Locator("[data-testid=upload-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=upload-result]")).ToContainTextAsync("家庭户 2 户 3 人");
        await Assertions.Expect(page.Locator("[data-testid=totals]")).ToHaveTextAsync("共 2 户");
        await Assertions.Expect(page.Locator("[data-testid=member-count][data-number=H001]")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("[data-testid=households]")).Not.ToContainTextAsync(head);

        await page.Locator("[data-testid=household][data-number=H001]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=detail-number]")).ToHaveTextAsync("H001");
        await Assertions.Expect(page.Locator("[data-testid=member-relation]")).ToHaveTextAsync(["户主", "配偶"]);
        await Assertions.Expect(page.Locator("[data-testid=members]")).Not.ToContainTextAsync(spouse);
        await ShotAsync(page, "households.png");
    }
}
