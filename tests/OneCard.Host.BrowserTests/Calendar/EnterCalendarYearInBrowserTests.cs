using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OneCard.Host.BrowserTests.Support;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests.Calendar;

/// <summary>
/// The administrator enters next year's official holiday notice on /admin/calendar: a make-up day on a weekday is
/// refused with its place and reason and nothing is saved; corrected, the year is listed as 管理员录入.
/// </summary>
public sealed class EnterCalendarYearInBrowserTests(ITestOutputHelper output) : BrowserTest(output)
{
    private static readonly (string First, string Last)[] Holidays2027 =
    [
        ("2027-01-01", "2027-01-03"), ("2027-02-06", "2027-02-13"), ("2027-04-03", "2027-04-05"), ("2027-05-01", "2027-05-05"),
        ("2027-06-09", "2027-06-09"), ("2027-09-15", "2027-09-15"), ("2027-10-01", "2027-10-07"),
    ];

    [Fact]
    public async Task Administrator_EntersNextYearsNotice_SeesLocatedErrorFirst_ThenTheYearListedAsEntered()
    {
        var page = await SignInAsync("admin", "/admin/calendar");
        var years = page.Locator("[data-testid=calendar-years] tr.ant-table-row");
        await Assertions.Expect(years).ToHaveCountAsync(2);
        await Assertions.Expect(years.Nth(1)).ToContainTextAsync("随版本发布");
        // The clock is in 2026: the form offers 2027.
        await Assertions.Expect(page.Locator("[data-testid=year]")).ToHaveValueAsync("2027");

        await page.Locator("[data-testid=document-number]").FillAsync("国办发明电〔2026〕9号");
        var rows = page.Locator("[data-testid=holiday-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(Holidays2027.Length);
        for (var i = 0; i < Holidays2027.Length; i++)
        {
            await rows.Nth(i).Locator("[data-testid=holiday-first]").FillAsync(Holidays2027[i].First);
            await rows.Nth(i).Locator("[data-testid=holiday-last]").FillAsync(Holidays2027[i].Last);
        }
        await page.Locator("[data-testid=make-up-days]").FillAsync("2027-02-20, 2027-02-17");
        await ConfirmAsync(page);

        var errors = page.Locator("[data-testid=calendar-errors] tr.ant-table-row");
        await Assertions.Expect(errors).ToHaveCountAsync(1);
        await Assertions.Expect(errors).ToContainTextAsync("第2个调休上班日");
        await Assertions.Expect(errors).ToContainTextAsync("2027-02-17是星期三，调休上班日只能是周六或周日");
        await Assertions.Expect(page.Locator(".ant-alert-error")).ToContainTextAsync("未保存任何数据");
        await ShotAsync(page, "calendar-errors.png");
        Assert.Equal(2, (await YearsAsync()).GetArrayLength());

        await page.Locator("[data-testid=make-up-days]").FillAsync("2027-02-20, 2027-10-09");
        await ConfirmAsync(page);

        await Assertions.Expect(years).ToHaveCountAsync(3);
        await Assertions.Expect(years.Nth(2)).ToContainTextAsync("管理员录入");
        await Assertions.Expect(years.Nth(2)).ToContainTextAsync("国办发明电〔2026〕9号");
        await Assertions.Expect(page.Locator("[data-testid=calendar-errors]")).ToHaveCountAsync(0);
        await ShotAsync(page, "calendar-entered.png");

        var entered = (await YearsAsync()).EnumerateArray().Last();
        Assert.Equal((2027, "Entered", 2), (entered.GetProperty("year").GetInt32(), entered.GetProperty("source").GetString(),
            entered.GetProperty("makeUpWorkdays").GetArrayLength()));
    }

    private static async Task ConfirmAsync(IPage page)
    {
        await Button(page, "提交录入").ClickAsync();
        var modal = page.Locator(".ant-modal-content");
        await Assertions.Expect(modal).ToContainTextAsync("将录入 2027 年节假日安排");
        await Button(modal, "确定").ClickAsync();
        await Assertions.Expect(modal).ToHaveCountAsync(0);
    }

    private async Task<JsonElement> YearsAsync() =>
        await (await App.SignInAsync("admin")).GetFromJsonAsync<JsonElement>("/api/calendar/years");
}
