using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Tasks;

/// <summary>
/// The application list and the inbox as real tables (issue 10 item 5): paged, sorted and filtered in the database, the
/// total of every match in X-Total-Count (so nothing is cut off silently), the region scope applied to the total too.
/// </summary>
public sealed class CaseListPagingTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        driver = new CaseDriver(app);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private int people;

    /// <summary>One line in <paramref name="region"/>, a different person each time (a person is claimed once per policy and period).</summary>
    private object[] Township(string region, decimal area) =>
        [Claims.Line("张三", Claims.Id("21012419800101" + (100 + ++people).ToString(System.Globalization.CultureInfo.InvariantCulture)), area, region: region)];

    private async Task<(List<JsonElement> Items, int Total)> ListAsync(string user, string path)
    {
        var response = await (await driver.As(user)).GetAsync(path);
        response.EnsureSuccessStatusCode();
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        return (items, int.Parse(response.Headers.GetValues("X-Total-Count").Single()));
    }

    private static List<string> Numbers(IEnumerable<JsonElement> items) => [.. items.Select(a => a.GetProperty("number").GetString()!)];

    [Fact]
    public async Task ApplicationList_PagesSortsAndFilters_WithTheTotalOfTheUsersScope()
    {
        // Five cases in 大孤家子镇 (areas 1..5 mu), three in 三面船镇.
        var here = new List<Guid>();
        for (var i = 1; i <= 5; i++) here.Add(await driver.SubmitAsync(Township("210124101", i)));
        for (var i = 1; i <= 3; i++) await driver.SubmitAsync(Township("210124102", 10 + i), clerk: "clerk2");

        // Region scope in the total: the township clerk counts the township's five, the county reviewer all eight.
        var (page1, total) = await ListAsync("clerk", "/api/applications?pageSize=2&page=1");
        Assert.Equal(5, total);
        Assert.Equal(2, page1.Count);
        var (page3, _) = await ListAsync("clerk", "/api/applications?pageSize=2&page=3");
        Assert.Single(page3);
        var all = new List<string>();
        for (var p = 1; p <= 3; p++) all.AddRange(Numbers((await ListAsync("clerk", $"/api/applications?pageSize=2&page={p}")).Items));
        Assert.Equal(5, all.Distinct().Count());
        Assert.Equal(8, (await ListAsync("reviewer", "/api/applications?pageSize=3")).Total);
        Assert.Equal(0, (await ListAsync("reviewer.kangping", "/api/applications")).Total);

        // Sorting: by amount, highest first across pages; by number ascending.
        var byAmount = (await ListAsync("reviewer", "/api/applications?sort=-payable&pageSize=8")).Items.Select(a => a.GetProperty("payableAmount").GetDecimal()).ToList();
        Assert.Equal(byAmount.OrderByDescending(a => a).ToList(), byAmount);
        var byNumber = Numbers((await ListAsync("reviewer", "/api/applications?sort=number&pageSize=8")).Items);
        Assert.Equal(byNumber.Order(StringComparer.Ordinal).ToList(), byNumber);

        // Filters: the township (code and name), the step, the case number, the due state.
        Assert.Equal(3, (await ListAsync("reviewer", "/api/applications?region=210124102")).Total);
        var (byName, byNameTotal) = await ListAsync("reviewer", "/api/applications?q=" + Uri.EscapeDataString("三面船"));
        Assert.Equal(3, byNameTotal);
        Assert.All(byName, a => Assert.Contains("三面船镇", a.GetProperty("regionName").GetString()));
        await driver.ActAsync(here[0], "clerk.review", "Approve");
        var (county, countyTotal) = await ListAsync("reviewer", "/api/applications?step=CountyReview");
        Assert.Equal(1, countyTotal);
        Assert.Equal(here[0], county.Single().GetProperty("id").GetGuid());
        var number = county.Single().GetProperty("number").GetString()!;
        Assert.Equal([number], Numbers((await ListAsync("clerk", "/api/applications?q=" + Uri.EscapeDataString(number))).Items));
        Assert.Equal(0, (await ListAsync("reviewer", "/api/applications?due=overdue")).Total);
        app.Clock.Advance(TimeSpan.FromDays(10));
        Assert.Equal(8, (await ListAsync("reviewer", "/api/applications?due=overdue")).Total);
        Assert.Equal(5, (await ListAsync("clerk", "/api/applications?due=overdue")).Total);
    }

    [Fact]
    public async Task ApplicationList_RefusesAnUnknownSortOrDueState_InChinese()
    {
        var client = await driver.As("reviewer");
        var sort = await client.GetAsync("/api/applications?sort=amount");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, sort.StatusCode);
        Assert.Contains("排序字段“amount”无效", await sort.Content.ReadAsStringAsync());
        var due = await client.GetAsync("/api/applications?due=late");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, due.StatusCode);
        Assert.Contains("办理时限筛选“late”无效", await due.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await (await driver.As("clerk.review")).GetAsync("/api/tasks?sort=priority")).StatusCode);
    }

    [Fact]
    public async Task Inbox_SearchesByNumberAndTownshipName_AndSortsByReference()
    {
        var ids = new List<Guid>();
        for (var i = 1; i <= 3; i++) ids.Add(await driver.SubmitAsync(Township("210124101", i)));
        var (tasks, total) = await ListAsync("clerk.review", "/api/tasks?sort=reference&pageSize=2");
        Assert.Equal(3, total);
        var references = tasks.Select(t => t.GetProperty("reference").GetString()!).ToList();
        Assert.Equal(references.Order(StringComparer.Ordinal).ToList(), references);
        Assert.Equal(3, (await ListAsync("clerk.review", "/api/tasks?q=" + Uri.EscapeDataString("大孤家子"))).Total);
        Assert.Equal(0, (await ListAsync("clerk.review", "/api/tasks?q=" + Uri.EscapeDataString("三面船"))).Total);
        var (one, oneTotal) = await ListAsync("clerk.review", "/api/tasks?q=" + Uri.EscapeDataString(references[0]));
        Assert.Equal(1, oneTotal);
        Assert.Equal(references[0], one.Single().GetProperty("reference").GetString());
    }
}
