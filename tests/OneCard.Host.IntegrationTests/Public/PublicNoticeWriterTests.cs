using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Public;

/// <summary>
/// A notice's lines mask names and read quantities as <see cref="Masking.Name"/> and the rule "the first number among the
/// facts" say: compound surnames, one- and two-character names, characters outside the BMP, untrimmed and blank names, and
/// facts in the order they were written. A rewrite of the notice writer (set-based SQL was measured and was slower than COPY,
/// bench/PAYMENTS.md) must keep these.
/// </summary>
public sealed class PublicNoticeWriterTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task NoticeLines_MaskNamesAndReadQuantities_AsTheMaskingAndFactsRulesSay()
    {
        var id = await driver.DriveToAsync("Publicity", [
            CaseDriver.Line("欧阳修", CaseDriver.Id("21012419800101001"), 12.5m),
            CaseDriver.Line("司马相如", CaseDriver.Id("21012419800101002"), 3m),
            CaseDriver.Line("欧阳", CaseDriver.Id("21012419800101003"), 4.75m),
            CaseDriver.Line("李", CaseDriver.Id("21012419800101004"), 1m),
            CaseDriver.Line("𠀀𠀁三", CaseDriver.Id("21012419800101005"), 2m),
            CaseDriver.Line("张三", CaseDriver.Id("21012419800101006"), 8m),
        ]);
        // What the publicity step wrote through the real effect.
        var (written, lines) = await NoticeAsync(id);
        Assert.Equal(["欧阳*", "司马*", "欧*", "*", "𠀀*", "张*"], written.Select(l => l.NameMasked));
        Assert.Equal(lines.Select(l => Masking.Name(l.Name)), written.Select(l => l.NameMasked));
        Assert.Equal([12.5m, 3m, 4.75m, 1m, 2m, 8m], written.Select(l => l.Quantity));
        Assert.All(written, l => Assert.Equal("拟发放", l.StatusZh));
        Assert.Equal(lines.Select(l => (l.LineNo, l.IdNumberMasked, l.Amount ?? 0m)), written.Select(l => (l.LineNo, l.IdNumberMasked, l.Amount)));
        Assert.All(written, l => Assert.False(string.IsNullOrEmpty(l.AccountMasked)));

        // Stored names and facts the API would not produce: untrimmed, blank, and facts whose first number a jsonb key order would not put first.
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            await db.Database.ExecuteSqlAsync($"""UPDATE "ClaimLines" SET "Name" = '  王五 ' WHERE "ApplicationId" = {id} AND "LineNo" = 6""");
            await db.Database.ExecuteSqlAsync($"""UPDATE "ClaimLines" SET "Name" = ' ' WHERE "ApplicationId" = {id} AND "LineNo" = 4""");
            await db.Database.ExecuteSqlAsync($$"""UPDATE "ClaimLines" SET "FactsJson" = '{"Note":"x","LongerKeyFirst":7.25,"A":3}' WHERE "ApplicationId" = {{id}} AND "LineNo" = 1""");
            await db.Database.ExecuteSqlAsync($$"""UPDATE "ClaimLines" SET "FactsJson" = '{"Note":"x","Converted":false}' WHERE "ApplicationId" = {{id}} AND "LineNo" = 2""");
            await db.Database.ExecuteSqlAsync($$"""UPDATE "ClaimLines" SET "FactsJson" = '{"Area":10.50}' WHERE "ApplicationId" = {{id}} AND "LineNo" = 3""");
            return await RewriteAsync(sp, id, NoticeKind.Publicity, LineOutcome.Eligible, "拟发放");
        });
        (written, lines) = await NoticeAsync(id);
        Assert.Equal(lines.Select(l => Masking.Name(l.Name)), written.Select(l => l.NameMasked));
        Assert.Equal(["欧阳*", "司马*", "欧*", "", "𠀀*", "王*"], written.Select(l => l.NameMasked));
        Assert.Equal([7.25m, null, 10.5m, 1m, 2m, 8m], written.Select(l => l.Quantity));

        var notice = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().PublicNotices.SingleAsync(n => n.ApplicationId == id));
        Assert.Equal((6, lines.Sum(l => l.Amount ?? 0m)), (notice.LineCount, notice.TotalAmount));
    }

    /// <summary>
    /// A notice shows the lines of its outcome only: the publicity (公示) the eligible ones, the publication (公开) the paid
    /// ones, however many of the case's lines have another. The writer tests the outcome as it reads (the statistics cannot
    /// know outcomes the same transaction just wrote), so this pins that it still does.
    /// </summary>
    [Fact]
    public async Task Notice_ShowsTheLinesOfItsOutcomeOnly()
    {
        var id = await driver.DriveToAsync("Publicity", [
            CaseDriver.Line("张一", CaseDriver.Id("21012419800101011"), 1m),
            CaseDriver.Line("张二", CaseDriver.Id("21012419800101012"), 2m),
            CaseDriver.Line("张三", CaseDriver.Id("21012419800101013"), 3m),
            CaseDriver.Line("张四", CaseDriver.Id("21012419800101014"), 4m),
            CaseDriver.Line("张五", CaseDriver.Id("21012419800101015"), 5m),
        ]);
        async Task<PublicNotice> WriteAsync(NoticeKind kind, LineOutcome outcome, string statusZh, string outcomes) => await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            // The line numbered i takes the i-th outcome of the list.
            foreach (var (name, i) in outcomes.Split(',').Select((o, i) => (o, i + 1)))
                await db.ClaimLines.IgnoreQueryFilters().Where(l => l.ApplicationId == id && l.LineNo == i)
                    .ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, Enum.Parse<LineOutcome>(name)));
            await RewriteAsync(sp, id, kind, outcome, statusZh);
            return await db.PublicNotices.Include(n => n.Lines).AsNoTracking().SingleAsync(n => n.ApplicationId == id);
        });

        var amounts = (await NoticeAsync(id)).Lines.ToDictionary(l => l.LineNo, l => l.Amount ?? 0m);
        var publicity = await WriteAsync(NoticeKind.Publicity, LineOutcome.Eligible, "拟发放", "Eligible,Ineligible,Eligible,Rejected,Eligible");
        Assert.Equal([1, 3, 5], publicity.Lines.OrderBy(l => l.LineNo).Select(l => l.LineNo));
        Assert.Equal((3, amounts[1] + amounts[3] + amounts[5]), (publicity.LineCount, publicity.TotalAmount));

        var publication = await WriteAsync(NoticeKind.Publication, LineOutcome.Paid, "已发放", "Paid,Ineligible,Failed,Rejected,Paid");
        Assert.Equal([1, 5], publication.Lines.OrderBy(l => l.LineNo).Select(l => l.LineNo));
        Assert.All(publication.Lines, l => Assert.Equal("已发放", l.StatusZh));
        Assert.Equal((2, amounts[1] + amounts[5]), (publication.LineCount, publication.TotalAmount));
    }

    /// <summary>Drops the case's notices and writes one anew through the real writer, as a step effect does: inside the transaction that also holds its audit entry.</summary>
    private async Task<int> RewriteAsync(IServiceProvider sp, Guid id, NoticeKind kind, LineOutcome outcome, string statusZh)
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        await db.PublicNotices.Where(n => n.ApplicationId == id).SelectMany(n => n.Lines).ExecuteDeleteAsync();
        await db.PublicNotices.Where(n => n.ApplicationId == id).ExecuteDeleteAsync();
        var application = await db.Applications.IgnoreQueryFilters().SingleAsync(a => a.Id == id);
        await using var tx = await db.Database.BeginTransactionAsync();
        await sp.GetRequiredService<PublicNoticeWriter>().AddAsync(application, kind, app.Clock.GetUtcNow(), null, outcome, statusZh, default);
        var saved = await db.SaveChangesAsync();
        await tx.CommitAsync();
        return saved;
    }

    private Task<(List<PublicNoticeLine> Written, List<ClaimLine> Lines)> NoticeAsync(Guid id) => app.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var written = await db.PublicNotices.Where(n => n.ApplicationId == id && n.Kind == NoticeKind.Publicity).SelectMany(n => n.Lines)
            .OrderBy(l => l.LineNo).AsNoTracking().ToListAsync();
        var lines = await db.ClaimLines.IgnoreQueryFilters().Where(l => l.ApplicationId == id).OrderBy(l => l.LineNo).AsNoTracking().ToListAsync();
        return (written, lines);
    });
}
