using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>On entering the on-site check: draws the sample.</summary>
public sealed class DrawSample(OneCardDbContext db, AuditWriter audit, UserContext user) : IStepEffect
{
    public string Name => nameof(DrawSample);

    /// <summary>Draws a seeded, recorded random share of the payable lines for the on-site check.</summary>
    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var (_, step, result) = context;
        var application = await context.ApplicationAsync(db, ct);
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
}
