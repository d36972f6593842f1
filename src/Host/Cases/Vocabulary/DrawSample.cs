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
        var seed = RandomNumberGenerator.GetInt32(int.MaxValue);
        var (draw, picked) = await DrawAsync(db, application.Id, seed, share, minimum, result.At, ct);
        await audit.AppendAsync(db, user.ActorId, "SampleDrawn", "Application", application.Id.ToString(), application.RegionCode,
            new { seed, share, minimum, population = draw.PopulationCount, sampled = picked, draw.Algorithm }, ct);
    }

    /// <summary>
    /// The draw, set-based (a province-wide case has a million lines): only the eligible line numbers are read, the picked
    /// lines are marked by updates in the caller's transaction, and the recorded draw is added to <paramref name="db"/>.
    /// </summary>
    public static async Task<(SampleDraw Draw, IReadOnlyList<int> Picked)> DrawAsync(OneCardDbContext db, Guid applicationId, int seed,
        decimal share, int minimum, DateTimeOffset at, CancellationToken ct)
    {
        var population = await db.ClaimLines.Where(l => l.ApplicationId == applicationId && l.Outcome == LineOutcome.Eligible)
            .Select(l => l.LineNo).ToListAsync(ct);
        var picked = SampleDraw.Draw(population, seed, share, minimum);
        foreach (var chunk in picked.Chunk(10_000))
            await db.ClaimLines.Where(l => l.ApplicationId == applicationId && chunk.Contains(l.LineNo))
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Sampled, true).SetProperty(l => l.SampleResult, (SampleResult?)SampleResult.Pending), ct);
        var draw = new SampleDraw
        {
            Id = Guid.CreateVersion7(), ApplicationId = applicationId, Seed = seed, Share = share, Minimum = minimum,
            PopulationCount = population.Count, SampleCount = picked.Count, Algorithm = SampleDraw.AlgorithmName, DrawnAt = at,
        };
        db.SampleDraws.Add(draw);
        return (draw, picked);
    }
}
