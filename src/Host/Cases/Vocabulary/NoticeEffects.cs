using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>On entering publicity (公示): opens the objection period and posts the masked notice.</summary>
public sealed class StartPublicity(OneCardDbContext db, PublicNoticeWriter notices) : IStepEffect
{
    public string Name => nameof(StartPublicity);

    /// <summary>Opens the objection period and posts the masked publicity notice (公示).</summary>
    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var result = context.Result;
        var application = await context.ApplicationAsync(db, ct);
        application.PublicityStartsAt = result.At;
        application.PublicityEndsAt = result.Deadline?.DueAt;
        await notices.AddAsync(application, NoticeKind.Publicity, result.At, result.Deadline?.DueAt, LineOutcome.Eligible, "拟发放", ct);
    }
}

/// <summary>On entering the final published step (公开): posts the masked publication of what was paid.</summary>
public sealed class Publish(OneCardDbContext db, PublicNoticeWriter notices) : IStepEffect
{
    public string Name => nameof(Publish);

    /// <summary>Posts the masked publication (公开) of what was paid.</summary>
    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var result = context.Result;
        var application = await context.ApplicationAsync(db, ct);
        await notices.AddAsync(application, NoticeKind.Publication, result.At, null, LineOutcome.Paid, "已发放", ct);
    }
}

/// <summary>Writes a masked public notice (公示 or 公开) of a case once.</summary>
public sealed class PublicNoticeWriter(OneCardDbContext db, AuditWriter audit, UserContext user, IRuleSets ruleSets, RegionDirectory regions)
{
    /// <summary>Posts the notice of the case's lines with <paramref name="outcome"/>, once.</summary>
    /// <remarks>
    /// A province-wide case publishes a million lines: it reads only the columns a notice shows, with each person's masked
    /// account joined in the same query (not whole lines and then their beneficiaries by a list of ids). The case's own lines:
    /// whoever moved the case may see it, so the region filters are not needed here (the beneficiary may be registered elsewhere).
    /// </remarks>
    public async Task AddAsync(Application application, NoticeKind kind, DateTimeOffset at, DateTimeOffset? objectionsCloseAt,
        LineOutcome outcome, string statusZh, CancellationToken ct)
    {
        if (await db.PublicNotices.AnyAsync(n => n.ApplicationId == application.Id && n.Kind == kind, ct)) return;

        var ruleSet = ruleSets.Get(application.PolicyCode, RuleSetVersionKey.Parse(application.RuleSetKey).Version);
        // The outcome is tested here, not in SQL: the import has usually just written it (the bank's results, a million at a
        // time, committed moments before this transaction), and the planner's statistics predate that. Asked for the case's Paid lines, PostgreSQL
        // estimated one and looked each person up by key, a million times (7.0 s of a 17.7 s publication). The case's lines
        // it does know, so it joins them to the people by hash; the few of another outcome are read and passed over.
        var lines = new List<Shown>();
        var rows = (
                from l in db.ClaimLines.IgnoreQueryFilters()
                where l.ApplicationId == application.Id
                join b in db.Beneficiaries.IgnoreQueryFilters() on l.BeneficiaryId equals b.Id into people
                from b in people.DefaultIfEmpty()
                orderby l.LineNo
                select new { l.Outcome, Shown = new Shown(l.LineNo, l.Name, l.IdNumberMasked, b == null ? null : b.BankAccountMasked, l.FactsJson, l.Amount) })
            .AsNoTracking().AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
            if (row.Outcome == outcome) lines.Add(row.Shown);
        var notice = new PublicNotice
        {
            Id = Guid.CreateVersion7(), ApplicationId = application.Id, Kind = kind, RegionCode = application.RegionCode,
            RegionName = regions.Find(application.RegionCode)?.Name ?? application.RegionCode, PolicyNameZh = ruleSet.Name.Zh, Period = application.Period, PublishedAt = at,
            ObjectionsCloseAt = objectionsCloseAt, LineCount = lines.Count, TotalAmount = lines.Sum(l => l.Amount ?? 0m),
        };
        var noticeLines = lines.Select(line => new PublicNoticeLine
        {
            Id = RowIds.Next(at), NoticeId = notice.Id, LineNo = line.LineNo,
            NameMasked = Masking.Name(line.Name), IdNumberMasked = line.IdNumberMasked,
            AccountMasked = line.AccountMasked, Quantity = QuantityOf(line.FactsJson),
            Amount = line.Amount ?? 0m, StatusZh = statusZh,
        }).ToList();
        if (db.IsPostgres)
        {
            // A province-wide roster publishes a million lines: COPY inside the case's transaction, not one INSERT each.
            await db.CopyAsync([notice], ct);
            await db.CopyAsync(noticeLines, ct);
        }
        else
        {
            notice.Lines.AddRange(noticeLines);
            db.PublicNotices.Add(notice);
        }
        await audit.AppendAsync(db, user.ActorId, kind == NoticeKind.Publicity ? "PublicityStarted" : "Published", "PublicNotice",
            notice.Id.ToString(), application.RegionCode, new { application = application.Id, lines = lines.Count, notice.TotalAmount }, ct);
    }

    /// <summary>The quantity a notice shows (e.g. 面积 in mu): the first number among the line's supplied facts.</summary>
    private static decimal? QuantityOf(string factsJson)
    {
        using var facts = JsonDocument.Parse(factsJson);
        foreach (var p in facts.RootElement.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetDecimal();
        return null;
    }

    /// <summary>What a notice shows of one line.</summary>
    private sealed record Shown(int LineNo, string Name, string IdNumberMasked, string? AccountMasked, string FactsJson, decimal? Amount);
}
