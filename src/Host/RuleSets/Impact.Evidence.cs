using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Policies;
using OneCard.Persistence;

namespace OneCard.Host.RuleSets;

/// <summary>
/// The impact run as evidence on the approval (审批依据). A draft is submitted only with an impact run on exactly the text being
/// submitted (the run's SHA-256 equals the version's): the latest run of each source (stored lines, uploaded roster) is recorded
/// on the version (<see cref="RuleSetRecord.EvidenceJson"/>) and in the submission's and the approval's audit entries. A policy
/// with no stored line at all (a first version, nothing ever submitted) has nothing to run over: then the reason is recorded.
/// </summary>
/// <remarks>
/// Why refuse rather than warn: the approver decides on what the change does; a submission without figures would push the
/// bench onto the approver, who may not run it (and the approval would carry no evidence). Why by SHA-256 and not by version:
/// the evidence must be about the very text approved — the hash is what the audit chain and the export already name.
/// </remarks>
public static partial class Impact
{
    /// <summary>One run as recorded on the approval: who ran what, when, over what, and its headline figures.</summary>
    public sealed record EvidenceRun(Guid Id, DateTimeOffset RunAt, string RunBy, string Source, string? Period, string? FileName,
        string? FileSha256, Counts Counts, decimal TotalBefore, decimal TotalAfter)
    {
        public decimal TotalChange => TotalAfter - TotalBefore;
        public string SourceZh => SourceName(Source);
    }

    /// <summary>The evidence of one submission: the runs on <see cref="Sha256"/>, or why none was needed (<see cref="ExemptZh"/>).</summary>
    public sealed record Evidence(string Sha256, IReadOnlyList<EvidenceRun> Runs, string? ExemptZh, string? ExemptEn = null);

    public static string SourceName(string source) => source == UploadSource ? "上传花名册" : "已存明细";

    /// <summary>Reads the evidence recorded on a version (null before its first submission).</summary>
    public static Evidence? ReadEvidence(string? json) => json is null ? null : JsonSerializer.Deserialize<Evidence>(json, Json);

    public static string WriteEvidence(Evidence evidence) => JsonSerializer.Serialize(evidence, Json);

    /// <summary>What a submission of <paramref name="record"/> now would record, or why it would be refused (<c>Refusal</c>).</summary>
    public static async Task<(Evidence? Evidence, OneCardException? Refusal)> FindEvidenceAsync(OneCardDbContext db, RuleSetRecord record, CancellationToken ct)
    {
        var runs = await db.ImpactRuns.AsNoTracking().Where(r => r.VersionKey == record.VersionKey).OrderByDescending(r => r.RunAt)
            .Select(r => new { r.Id, r.Sha256, r.Source, r.RunAt }).ToListAsync(ct);
        var latest = runs.Where(r => r.Sha256 == record.Sha256).GroupBy(r => r.Source).Select(g => g.First().Id).ToList();
        if (latest.Count > 0)
        {
            var chosen = await db.ImpactRuns.AsNoTracking().Where(r => latest.Contains(r.Id)).OrderByDescending(r => r.RunAt).ToListAsync(ct);
            return (new Evidence(record.Sha256, [.. chosen.Select(ToEvidence)], null), null);
        }
        if (runs.FirstOrDefault() is { } stale)
            return (null, new OneCardException(ErrorKind.Invalid, "ImpactRunStale",
                $"规则集 {record.VersionKey} 的影响测算（{stale.RunAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}，内容 SHA-256 {stale.Sha256[..12]}…）"
                + $"不是对本次提交的内容（SHA-256 {record.Sha256[..12]}…）运行的，不能作为审批依据：请在“影响测算”页对当前内容重新运行测算后再提交",
                $"The impact run of {record.VersionKey} was run on other content ({stale.Sha256[..12]}), not on {record.Sha256[..12]}; run it again."));
        // Whether any line was ever stored for the policy, whoever may read it: an existence test, never a line. Applications
        // stand for their lines (none is stored without one) and are far fewer.
        if (await db.Applications.IgnoreQueryFilters().AnyAsync(a => a.PolicyCode == record.PolicyCode, ct))
            return (null, new OneCardException(ErrorKind.Invalid, "ImpactRunMissing",
                $"规则集 {record.VersionKey} 尚未运行影响测算，不能提交：请先在“影响测算”页对已存申报明细运行测算（或上传花名册测算），测算结果将作为审批依据",
                $"{record.VersionKey} has no impact run on its content; run the impact bench before submitting."));
        return (new Evidence(record.Sha256, [], $"补贴政策 {record.PolicyCode} 尚无任何已存申报明细（首个版本，或从未申报），没有可测算的历史数据，未附影响测算",
            $"Policy {record.PolicyCode} has no stored lines yet (a first version, or never applied for): there is no history to run an impact on, so none is attached."), null);
    }

    /// <summary>The evidence a submission records; refuses (422, Chinese, saying what to do) when there is none and there could be.</summary>
    public static async Task<Evidence> RequireEvidenceAsync(OneCardDbContext db, RuleSetRecord record, CancellationToken ct)
    {
        var (evidence, refusal) = await FindEvidenceAsync(db, record, ct);
        return evidence ?? throw refusal!;
    }

    private static EvidenceRun ToEvidence(ImpactRun run)
    {
        using var figures = JsonDocument.Parse(run.FiguresJson);
        var counts = figures.RootElement.GetProperty("counts").Deserialize<Counts>(Json)!;
        return new EvidenceRun(run.Id, run.RunAt, run.RunBy, run.Source, run.Period, run.FileName, run.FileSha256, counts, run.TotalBefore, run.TotalAfter);
    }
}
