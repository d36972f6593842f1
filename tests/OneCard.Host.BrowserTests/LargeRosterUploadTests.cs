using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniExcelLibs;
using OneCard.Host.Applications;
using OneCard.Host.BrowserTests.Support;
using OneCard.Host.Demo;
using Xunit.Abstractions;

namespace OneCard.Host.BrowserTests;

/// <summary>
/// Issue 9, "Done means": a 100,000-line roster (the demo generator's, some rows deliberately bad) uploads from the page
/// with 只受理正确的行, the progress page's bar appears and completes, and the refused lines download as xlsx holding
/// exactly the bad rows. The job is run as the Hangfire server would run it (the test host runs no job server).
/// </summary>
public sealed class LargeRosterUploadTests(ITestOutputHelper output) : BrowserTest(output)
{
    private const int Lines = 100_000;

    /// <summary>The import of 100,000 lines may take minutes on a loaded 2-core CI machine; the page's signals are awaited.</summary>
    private const float ImportPatience = 600_000;

    [Fact]
    public async Task Clerk_UploadsA100000LineRosterAcceptingTheValidPart_WatchesTheProgressBar_AndDownloadsExactlyTheBadRows()
    {
        // Every 9,973rd spreadsheet row gets a wrong ID check digit, and row 50,000 a negative area: 11 bad rows.
        var bad = Enumerable.Range(2, Lines).Where(r => r % 9_973 == 0).Append(50_000).Order().ToList();
        var path = Path.Combine(Path.GetTempPath(), $"花名册-{Guid.NewGuid():N}.csv");
        await using (var target = File.Create(path))
            DemoRosterFile.Write(target, Lines, replace: (row, line) => row == 50_000 ? WithArea(line, "-3") : row % 9_973 == 0 ? WithWrongCheckDigit(line) : line);
        try
        {
            var page = await SignInAsync("clerk", "/applications/new");
            await page.Locator("input[type=file]").SetInputFilesAsync(path);
            await page.Locator("input[data-mode=AcceptValid]").CheckAsync();
            await Button(page, "提交").ClickAsync();
            await Assertions.Expect(page.GetByTestId("roster-confirm")).ToContainTextAsync("只受理正确的行");
            await Button(page, "确认提交").ClickAsync();

            await page.WaitForURLAsync(new Regex(@"/roster-imports/[0-9a-f-]{36}$"), new() { Timeout = ImportPatience });
            await WaitUntilInteractiveAsync(page, "花名册导入");
            var id = Guid.Parse(page.Url[^36..]);
            // The bar is shown before the job has done anything.
            await Assertions.Expect(page.Locator("[data-progress] .ant-progress")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-import-status]")).ToHaveAttributeAsync("data-import-status", "Queued");

            var job = Task.Run(() => App.Services.GetRequiredService<RosterImportJob>().RunAsync(id, CancellationToken.None));
            var done = page.Locator("[data-import-done=true]");
            await Assertions.Expect(done).ToBeVisibleAsync(new() { Timeout = ImportPatience });
            await job;
            await Assertions.Expect(page.Locator("[data-import-status]")).ToHaveAttributeAsync("data-import-status", "Succeeded");
            await Assertions.Expect(page.Locator("[data-progress]")).ToHaveAttributeAsync("data-progress", "100");
            await Assertions.Expect(page.Locator("[data-refused-count]")).ToHaveTextAsync(bad.Count.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("[data-accepted]")).ToHaveTextAsync((Lines - bad.Count).ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("a[data-case]")).ToHaveTextAsync(new Regex("^SQ"));
            await ShotAsync(page, "large-roster-import-done.png");

            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("a[data-refused-download]").ClickAsync());
            var saved = Path.Combine(Path.GetTempPath(), $"退回的行-{Guid.NewGuid():N}.xlsx");
            await download.SaveAsAsync(saved);
            try
            {
                var rows = MiniExcel.Query(saved, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
                Assert.Equal(bad, rows.Select(r => Convert.ToInt32(r["行号"], CultureInfo.InvariantCulture)));
                Assert.All(rows, r => Assert.False(string.IsNullOrWhiteSpace(Convert.ToString(r["姓名"], CultureInfo.InvariantCulture))));
                Assert.Contains("【承包面积（亩）】", Convert.ToString(rows.Single(r => Convert.ToInt32(r["行号"], CultureInfo.InvariantCulture) == 50_000)["退回原因"], CultureInfo.InvariantCulture));
                Assert.All(rows.Where(r => Convert.ToInt32(r["行号"], CultureInfo.InvariantCulture) != 50_000),
                    r => Assert.Contains("【身份证号】", Convert.ToString(r["退回原因"], CultureInfo.InvariantCulture)));
            }
            finally
            {
                File.Delete(saved);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string WithArea(string line, string area)
    {
        var cells = line.Split(',');
        cells[5] = area;
        return string.Join(',', cells);
    }

    private static string WithWrongCheckDigit(string line)
    {
        var cells = line.Split(',');
        cells[1] = cells[1][..^1] + (cells[1][^1] == '0' ? "1" : "0");
        return string.Join(',', cells);
    }
}
