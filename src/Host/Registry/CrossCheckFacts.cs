using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Host.RuleSets;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.Registry;

/// <summary>
/// A check's result as a fact (issue 9): a rule set may declare a fact sourced from <c>crossCheck.&lt;Kind&gt;</c>. Lines are
/// first evaluated with every such fact false (<see cref="RegistryFacts"/>); after the checks ran, the lines with a pending hit
/// of a check the rule set reads are evaluated again under the case's pinned rule set with those facts true, and their
/// outcome, amount, reasons and rule results replaced. Those hits are then settled by the rule
/// (<see cref="HitDecision.SettledByRule"/>, 已由规则判定): the rule set decided what the hit means, so no reviewer decision is
/// needed and the approval gate does not wait for them. The application's totals move by the changed lines' difference.
/// </summary>
public sealed class CrossCheckFacts(RuleEvaluator evaluator, PersonalDataProtector protector, AuditWriter audit, TimeProvider time)
{
    public const string AppliedCode = "CrossCheckFactsApplied";

    public sealed record LineChange(int LineNo, string BeforeOutcome, decimal? BeforeAmount, string AfterOutcome, decimal? AfterAmount);

    /// <summary>Re-evaluates the application's hit lines under <paramref name="ruleSet"/> (its pinned version), in the caller's
    /// transaction; returns the lines changed. Nothing happens when the rule set reads no check, or no pending hit of one.</summary>
    public async Task<IReadOnlyList<LineChange>> ApplyAsync(OneCardDbContext db, Guid applicationId, RuleSet ruleSet, string actorId, CancellationToken ct)
    {
        var read = ruleSet.Facts.Where(f => FactSources.CrossCheckOf(f.Source) is not null)
            .Select(f => (Fact: f.Name, Check: FactSources.CrossCheckOf(f.Source)!.Value)).ToList();
        if (read.Count == 0) return [];
        var kinds = read.Select(r => r.Check).Distinct().ToList();
        var hits = await db.CrossCheckHits.IgnoreQueryFilters()
            .Where(h => h.ApplicationId == applicationId && h.Decision == HitDecision.Pending && kinds.Contains(h.Check)).ToListAsync(ct);
        if (hits.Count == 0) return [];

        var application = await db.Applications.IgnoreQueryFilters().SingleAsync(a => a.Id == applicationId, ct);
        var lineIds = hits.Select(h => h.ClaimLineId).Distinct().ToList();
        var lines = await db.ClaimLines.IgnoreQueryFilters()
            .Where(l => lineIds.Contains(l.Id) && (l.Outcome == LineOutcome.Eligible || l.Outcome == LineOutcome.Faulted))
            .OrderBy(l => l.LineNo).ToListAsync(ct);
        var beneficiaryIds = lines.Select(l => l.BeneficiaryId).Distinct().ToList();
        var ciphers = await db.Beneficiaries.IgnoreQueryFilters().Where(b => beneficiaryIds.Contains(b.Id))
            .ToDictionaryAsync(b => b.Id, b => b.IdNumberCipher, ct);
        // Every hit of the line (whatever its decision) sets its fact: the line is evaluated on all it is known to have.
        var lineChecks = (await db.CrossCheckHits.IgnoreQueryFilters().Where(h => lineIds.Contains(h.ClaimLineId) && kinds.Contains(h.Check))
                .Select(h => new { h.ClaimLineId, h.Check }).ToListAsync(ct))
            .GroupBy(h => h.ClaimLineId).ToDictionary(g => g.Key, g => g.Select(h => h.Check).ToHashSet());
        // The evaluation day of the case: its submission day (China time), as at submission.
        var asOf = DateOnly.FromDateTime(application.SubmittedAt.ToOffset(WorkingDayCalendar.Offset).DateTime);
        var facts = lines.Select(l =>
        {
            var bound = StoredFacts.Bind(ruleSet, l.FactsJson, protector.Decrypt(ciphers[l.BeneficiaryId]), l.RegionCode, asOf);
            foreach (var (fact, check) in read) bound[fact] = lineChecks.GetValueOrDefault(l.Id)?.Contains(check) == true;
            return (IReadOnlyDictionary<string, object?>)bound;
        }).ToList();
        var evaluations = evaluator.EvaluateMany(ruleSet, facts);

        var changes = new List<LineChange>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var (outcome, amount) = (line.Outcome, line.Amount);
            Reevaluate.Handler.Apply(line, evaluations[i]);
            // The check's result becomes part of the line's stored facts, so a later re-evaluation (another version, the impact
            // run) reads it as it was evaluated here rather than the false it was submitted with.
            db.Entry(line).Property(l => l.FactsJson).CurrentValue = WithFacts(line.FactsJson, read.Select(r => (r.Fact, (bool)facts[i][r.Fact]!)));
            if (outcome == LineOutcome.Eligible) { application.EligibleCount--; application.PayableAmount -= amount ?? 0m; }
            if (line.Outcome == LineOutcome.Eligible) { application.EligibleCount++; application.PayableAmount += line.Amount ?? 0m; }
            if (outcome != line.Outcome || amount != line.Amount)
                changes.Add(new LineChange(line.LineNo, outcome.ToString(), amount, line.Outcome.ToString(), line.Amount));
        }

        var now = time.GetUtcNow();
        var reevaluated = lines.Select(l => l.Id).ToHashSet();
        // A line the rule set decided (eligible or not) settles its hits; a line that faulted (its rule never ran) still needs the reviewer.
        var decidedLines = lines.Where(l => l.Outcome != LineOutcome.Faulted).Select(l => l.Id).ToHashSet();
        var settled = hits.Where(h => reevaluated.Contains(h.ClaimLineId) && decidedLines.Contains(h.ClaimLineId)).ToList();
        foreach (var hit in settled)
        {
            var line = lines.First(l => l.Id == hit.ClaimLineId);
            hit.Decision = HitDecision.SettledByRule;
            hit.DecidedBy = actorId;
            hit.DecidedAt = now;
            hit.Comment = $"规则集 {ruleSet.VersionKey} 以比对结果为事实重新计算：{OutcomeZh(line.Outcome)}{(line.ReasonZh is { } r ? "（" + r + "）" : "")}";
            if (hit.Comment.Length > 500) hit.Comment = hit.Comment[..500];
        }

        await audit.AppendAsync(db, actorId, AppliedCode, "Application", applicationId.ToString(), application.RegionCode, new
        {
            number = application.Number, ruleSet = ruleSet.VersionKey, ruleSetSha256 = ruleSet.Sha256, facts = read.Select(r => new { fact = r.Fact, check = r.Check.ToString() }),
            settled = settled.Select(h => new { line = h.LineNo, check = h.Check.ToString(), hit = h.Id }),
            lines = changes.Select(c => new { line = c.LineNo, before = new { outcome = c.BeforeOutcome, amount = c.BeforeAmount }, after = new { outcome = c.AfterOutcome, amount = c.AfterAmount } }),
            eligible = application.EligibleCount, payable = application.PayableAmount,
        }, ct);
        await db.SaveChangesAsync(ct);
        return changes;
    }

    /// <summary>The stored facts JSON with the given boolean facts set (added or replaced); every other fact is kept as it was.</summary>
    internal static string WithFacts(string factsJson, IEnumerable<(string Name, bool Value)> values)
    {
        var stored = System.Text.Json.Nodes.JsonNode.Parse(factsJson) as System.Text.Json.Nodes.JsonObject ?? [];
        foreach (var (name, value) in values) stored[name] = value;
        return stored.ToJsonString(FactsJsonOptions);
    }

    // As the submission writes FactsJson (SubmitApplication): Chinese text unescaped.
    private static readonly System.Text.Json.JsonSerializerOptions FactsJsonOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string OutcomeZh(LineOutcome outcome) => outcome switch
    {
        LineOutcome.Eligible => "符合条件",
        LineOutcome.Ineligible => "不符合条件",
        LineOutcome.Faulted => "规则执行故障",
        _ => outcome.ToString(),
    };
}
