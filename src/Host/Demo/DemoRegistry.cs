using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Registry;
using OneCard.Host.Cases;
using OneCard.Host.Inspections;
using OneCard.Host.Platform;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Demo;

/// <summary>
/// The demo's registry and inspections, made through the real use cases as an administrator and a supervisor would: 法库县's
/// snapshots of other departments' data (户籍 of every person on the seven main 耕地地力保护补贴 rosters of 大孤家子镇, one of them 死亡; 死亡火化 with
/// that person; 财政供养人员 with another), and a 事后专项核查 over the county's paid lines, drawn from a recorded seed so its items
/// wait for the inspector. Idempotent: a database with any snapshot is left as it is.
/// </summary>
public static class DemoRegistry
{
    /// <summary>The seed the demo campaign records, so anyone can redraw it (页面“复现抽样”).</summary>
    public const long CampaignSeed = 20_261_206;

    public static async Task EnsureAsync(IServiceProvider services, IReadOnlyDictionary<string, CurrentUser> users, DateTimeOffset now)
    {
        var seeded = false;
        await DemoData.As(services, null, now, async sp => seeded = await sp.GetRequiredService<OneCardDbContext>().ReferenceSnapshots.AnyAsync());
        if (seeded) return;
        var today = WorkingDayCalendar.LocalDate(now);
        // The people of the seven main rosters (the seeds EnsureDemoCasesAsync submits in 大孤家子镇), in order.
        var people = Enumerable.Range(0, 7).SelectMany(c => DemoData.Roster(1000 + c, 12)).Select(l => (Name: l.Name!, IdNumber: l.IdNumber!, RegionCode: l.RegionCode!))
            .DistinctBy(p => p.IdNumber).ToList();
        var deceased = people[1];
        var employed = people[2];

        await DemoData.As(services, users["admin"], now, async sp =>
        {
            var snapshots = sp.GetRequiredService<ReferenceSnapshots.Handler>();
            var registry = Csv(ReferenceKind.HouseholdRegistry, people.Select(p =>
                new[] { p.IdNumber, p.Name, p.RegionCode, p.IdNumber == deceased.IdNumber ? "死亡" : "正常" }));
            var deaths = Csv(ReferenceKind.Deaths, [[deceased.IdNumber, deceased.Name, today.AddDays(-40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "法库县殡仪馆", "演示数据"]]);
            var staff = Csv(ReferenceKind.StateFunded, [[employed.IdNumber, employed.Name, "法库县某事业单位（演示）", "2015-09-01", "", DemoData.County]]);
            foreach (var (kind, source, file) in new[]
                     {
                         (ReferenceKind.HouseholdRegistry, "法库县公安局户籍（演示）", registry),
                         (ReferenceKind.Deaths, "法库县民政局殡葬管理（演示）", deaths),
                         (ReferenceKind.StateFunded, "法库县委编办、财政局（演示）", staff),
                     })
            {
                var outcome = await snapshots.ImportAsync(kind, DemoData.County, null, source, today.AddDays(-1), new MemoryStream(file), $"{kind}.csv", default);
                if (!outcome.Succeeded)
                    throw new InvalidOperationException($"Demo snapshot {kind} refused: " + string.Join("；", outcome.Errors.Take(5).Select(e => $"第{e.Row}行 {e.Field} {e.MessageZh}")));
            }
        });

        await DemoData.As(services, users["supervisor"], now, async sp =>
        {
            var campaigns = sp.GetRequiredService<Campaigns.Handler>();
            var id = await campaigns.CreateAsync(new Campaigns.NewCampaign("PostPayment", "耕地地力保护补贴事后专项核查（演示）", DemoData.County, DemoData.PolicyCode, "2026",
                null, null, null, null, 0.2m, 2, CampaignSeed), default);
            await sp.GetRequiredService<CaseEngine>().ActAsync(Campaigns.Subject(id), "Draw", "演示数据", default);
        });
    }

    /// <summary>A kind's file as an administrator would upload it: UTF-8 with BOM, its template's header, one row per person.</summary>
    private static byte[] Csv(ReferenceKind kind, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', ReferenceSnapshots.Spec(kind).Columns.Select(c => c.Header))).Append("\r\n");
        foreach (var row in rows) text.Append(string.Join(',', row)).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
