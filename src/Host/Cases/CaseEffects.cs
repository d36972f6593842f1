using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Payments;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// What happens on entering a step, by the names workflow definitions use in <c>onEnter</c>.
/// Each runs inside the transition's transaction, so a step is entered with its effects or not at all.
/// </summary>
public sealed class CaseEffects(OneCardDbContext db, AuditWriter audit, UserContext user, RuleSetCatalog ruleSets, RegionDirectory regions, PaymentOptions payments)
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string> { "DrawSample", "StartPublicity", "CreatePaymentBatch", "Publish" };

    public Task RunAsync(string effect, Application application, StepDefinition step, TransitionResult result, CancellationToken ct) => effect switch
    {
        "DrawSample" => DrawSampleAsync(application, step, result, ct),
        "StartPublicity" => StartPublicityAsync(application, result, ct),
        "CreatePaymentBatch" => CreatePaymentBatchAsync(application, result, ct),
        "Publish" => PublishAsync(application, result, ct),
        _ => throw new InvalidOperationException($"Unknown effect '{effect}' in step {step.Name}."),
    };

    /// <summary>Draws a seeded, recorded random share of the payable lines for the on-site check.</summary>
    private async Task DrawSampleAsync(Application application, StepDefinition step, TransitionResult result, CancellationToken ct)
    {
        if (await db.SampleDraws.AnyAsync(d => d.ApplicationId == application.Id, ct)) return; // drawn once per case
        var share = decimal.Parse(step.Parameters.GetValueOrDefault("sampleShare", "0.1"), CultureInfo.InvariantCulture);
        var minimum = int.Parse(step.Parameters.GetValueOrDefault("sampleMinimum", "1"), CultureInfo.InvariantCulture);
        var lines = await db.ClaimLines.Where(l => l.ApplicationId == application.Id && l.Outcome == LineOutcome.Eligible).ToListAsync(ct);
        var seed = RandomNumberGenerator.GetInt32(int.MaxValue);
        var picked = SampleDraw.Draw(lines.Select(l => l.LineNo).ToList(), seed, share, minimum).ToHashSet();
        foreach (var line in lines.Where(l => picked.Contains(l.LineNo)))
        {
            line.Sampled = true;
            line.SampleResult = SampleResult.Pending;
        }
        var draw = new SampleDraw
        {
            Id = Guid.CreateVersion7(), ApplicationId = application.Id, Seed = seed, Share = share, Minimum = minimum,
            PopulationCount = lines.Count, SampleCount = picked.Count, Algorithm = SampleDraw.AlgorithmName, DrawnAt = result.At,
        };
        db.SampleDraws.Add(draw);
        await audit.AppendAsync(db, user.ActorId, "SampleDrawn", "Application", application.Id.ToString(), application.RegionCode,
            new { seed, share, minimum, population = lines.Count, sampled = picked.Order().ToArray(), draw.Algorithm }, ct);
    }

    /// <summary>Opens the objection period and posts the masked publicity notice (公示).</summary>
    private async Task StartPublicityAsync(Application application, TransitionResult result, CancellationToken ct)
    {
        application.PublicityStartsAt = result.At;
        application.PublicityEndsAt = result.Deadline?.DueAt;
        var lines = await db.ClaimLines.Where(l => l.ApplicationId == application.Id && l.Outcome == LineOutcome.Eligible)
            .OrderBy(l => l.LineNo).ToListAsync(ct);
        await AddNoticeAsync(application, NoticeKind.Publicity, result.At, result.Deadline?.DueAt, lines, "拟发放", ct);
    }

    /// <summary>
    /// One instruction per payable line. A beneficiary already instructed or paid for this policy and
    /// period is rejected here with a reason; the unique index is the guarantee behind the check.
    /// </summary>
    private async Task CreatePaymentBatchAsync(Application application, TransitionResult result, CancellationToken ct)
    {
        if (await db.PaymentBatches.AnyAsync(b => b.ApplicationId == application.Id, ct)) return;
        var lines = await db.ClaimLines.Where(l => l.ApplicationId == application.Id && l.Outcome == LineOutcome.Eligible)
            .OrderBy(l => l.LineNo).ToListAsync(ct);
        var beneficiaryIds = lines.Select(l => l.BeneficiaryId).ToList();
        var beneficiaries = await db.Beneficiaries.IgnoreQueryFilters().Where(b => beneficiaryIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, ct);
        var alreadyPaid = (await db.PaymentInstructions.IgnoreQueryFilters()
            .Where(p => p.PolicyCode == application.PolicyCode && p.Period == application.Period && p.Status != PaymentStatus.Failed
                        && beneficiaryIds.Contains(p.BeneficiaryId))
            .Select(p => p.BeneficiaryId).ToListAsync(ct)).ToHashSet();

        var batchId = Guid.CreateVersion7();
        var instructions = new List<PaymentInstruction>();
        foreach (var line in lines)
        {
            var beneficiary = beneficiaries[line.BeneficiaryId];
            if (beneficiary.BankAccountCipher is null)
            {
                application.Reject(line, "无有效银行账户，不能生成支付指令", "No bank account on file.");
                continue;
            }
            if (alreadyPaid.Contains(line.BeneficiaryId))
            {
                application.Reject(line, "重复发放：该对象本政策本期已有支付指令", "Duplicate payment: already instructed for this policy and period.");
                continue;
            }
            line.Outcome = LineOutcome.Instructed;
            instructions.Add(new PaymentInstruction
            {
                Id = Guid.CreateVersion7(), BatchId = batchId, Seq = instructions.Count + 1, ClaimLineId = line.Id,
                BeneficiaryId = line.BeneficiaryId, RegionCode = line.RegionCode, PolicyCode = line.PolicyCode, Period = line.Period,
                Amount = line.Amount ?? 0m, PayeeName = line.Name, AccountCipher = beneficiary.BankAccountCipher,
                AccountMasked = beneficiary.BankAccountMasked ?? "", Status = PaymentStatus.Pending,
            });
        }
        if (instructions.Count == 0) return;
        var batch = new PaymentBatch
        {
            Id = batchId, BatchNo = $"PB-{application.Number}", ApplicationId = application.Id, RegionCode = application.RegionCode,
            AgentBankCode = payments.DefaultAgentBank, CreatedAt = result.At, Status = PaymentBatchStatus.Instructed,
            LineCount = instructions.Count, TotalAmount = instructions.Sum(i => i.Amount), Instructions = instructions,
        };
        db.PaymentBatches.Add(batch);
        await audit.AppendAsync(db, user.ActorId, "PaymentBatchCreated", "PaymentBatch", batch.Id.ToString(), application.RegionCode,
            new { batch.BatchNo, lines = batch.LineCount, total = batch.TotalAmount, bank = batch.AgentBankCode }, ct);
    }

    /// <summary>Posts the masked publication (公开) of what was paid.</summary>
    private async Task PublishAsync(Application application, TransitionResult result, CancellationToken ct)
    {
        var lines = await db.ClaimLines.Where(l => l.ApplicationId == application.Id && l.Outcome == LineOutcome.Paid)
            .OrderBy(l => l.LineNo).ToListAsync(ct);
        await AddNoticeAsync(application, NoticeKind.Publication, result.At, null, lines, "已发放", ct);
    }

    private async Task AddNoticeAsync(Application application, NoticeKind kind, DateTimeOffset at, DateTimeOffset? objectionsCloseAt,
        IReadOnlyList<ClaimLine> lines, string statusZh, CancellationToken ct)
    {
        if (await db.PublicNotices.AnyAsync(n => n.ApplicationId == application.Id && n.Kind == kind, ct)) return;

        var ruleSet = ruleSets.Get(application.PolicyCode, RuleSetVersion(application.RuleSetKey));
        var beneficiaryIds = lines.Select(l => l.BeneficiaryId).ToList();
        var accounts = await db.Beneficiaries.IgnoreQueryFilters().Where(b => beneficiaryIds.Contains(b.Id))
            .ToDictionaryAsync(b => b.Id, b => b.BankAccountMasked, ct);
        var notice = new PublicNotice
        {
            Id = Guid.CreateVersion7(), ApplicationId = application.Id, Kind = kind, RegionCode = application.RegionCode,
            RegionName = regions.Find(application.RegionCode)?.Name ?? application.RegionCode, PolicyNameZh = ruleSet.Name.Zh, Period = application.Period, PublishedAt = at,
            ObjectionsCloseAt = objectionsCloseAt, LineCount = lines.Count, TotalAmount = lines.Sum(l => l.Amount ?? 0m),
        };
        foreach (var line in lines)
        {
            notice.Lines.Add(new PublicNoticeLine
            {
                Id = Guid.CreateVersion7(), NoticeId = notice.Id, LineNo = line.LineNo,
                NameMasked = Masking.Name(line.Name), IdNumberMasked = line.IdNumberMasked,
                AccountMasked = accounts.GetValueOrDefault(line.BeneficiaryId), Quantity = QuantityOf(line),
                Amount = line.Amount ?? 0m, StatusZh = statusZh,
            });
        }
        db.PublicNotices.Add(notice);
        await audit.AppendAsync(db, user.ActorId, kind == NoticeKind.Publicity ? "PublicityStarted" : "Published", "PublicNotice",
            notice.Id.ToString(), application.RegionCode, new { application = application.Id, lines = lines.Count, notice.TotalAmount }, ct);
    }

    private static int RuleSetVersion(string versionKey) =>
        int.Parse(versionKey[(versionKey.LastIndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The quantity a notice shows (e.g. 面积 in mu): the first number among the line's supplied facts.</summary>
    private static decimal? QuantityOf(ClaimLine line)
    {
        using var facts = JsonDocument.Parse(line.FactsJson);
        foreach (var p in facts.RootElement.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetDecimal();
        return null;
    }
}

/// <summary>The <c>Payments</c> configuration section.</summary>
public sealed class PaymentOptions
{
    public string DefaultAgentBank { get; set; } = "PSBC-LN";
}
