using System.Diagnostics;
using OneCard.Rules.Evaluation;
using Xunit.Abstractions;

namespace OneCard.Rules.Tests.Evaluation;

/// <summary>Reports rough rates; asserts only results, never time (a benchmark belongs in bench/).</summary>
[Trait("Category", "Measure")]
public class ThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public void EvaluateMany_HundredThousandLineRoster_ReportsRate()
    {
        var evaluator = new RuleEvaluator(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });
        var regions = new[] { "210114001", "210124100", "210123200", "210113001" };
        var lines = Enumerable.Range(0, 100_000)
            .Select(i => (IReadOnlyDictionary<string, object?>)TestData.Line(
                idNumber: TestData.ValidId(sequence: $"{i % 1000:000}"),
                regionCode: regions[i % regions.Length],
                areaMu: 1 + (i % 5000) / 100m,
                landConverted: i % 10 == 0))
            .ToList();
        evaluator.EvaluateMany(TestData.ArableLand, lines.Take(10).ToList());

        var batchClock = Stopwatch.StartNew();
        var results = evaluator.EvaluateMany(TestData.ArableLand, lines);
        batchClock.Stop();

        var singleClock = Stopwatch.StartNew();
        foreach (var line in lines.Take(5_000))
        {
            evaluator.Evaluate(TestData.ArableLand, line);
        }

        singleClock.Stop();

        Assert.Equal(90_000, results.Count(r => r.Outcome == EvaluationOutcome.Eligible));
        Assert.Equal(10_000, results.Count(r => r.Outcome == EvaluationOutcome.Ineligible));
        output.WriteLine($"EvaluateMany: {lines.Count:N0} lines in {batchClock.Elapsed.TotalMilliseconds:N0} ms = {lines.Count / batchClock.Elapsed.TotalSeconds:N0} lines/s");
        output.WriteLine($"Evaluate (RulesEngine): 5,000 lines in {singleClock.Elapsed.TotalMilliseconds:N0} ms = {5_000 / singleClock.Elapsed.TotalSeconds:N0} lines/s");
    }
}
