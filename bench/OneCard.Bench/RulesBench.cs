// Rules benchmark (issue 7 item 8): a 10-rule set (bench/rules-bench.json: arable-land-protection v2 plus computed facts,
// a two-key lookup and a floor tier) over generated claim lines, three ways in one run, with identical outcomes:
//   (a) RuleEvaluator.EvaluateMany — the compiled path the roster use case calls (all cores);
//   (a1) the same compiled path on one lane (its per-lane cost, next to (c) on one thread);
//   (b) Microsoft RulesEngine's own ExecuteAllRulesAsync per input, on the same rules (one thread, as a caller would);
//   (c) a hand-written C# predicate over the same facts (one thread).
// Every line's outcome, amount, fault code and failed rules are compared; any mismatch fails the run (exit code 1).
// Usage: bench/run.sh rules [lines=1000000] [rulesEngineLines=100000] — no PostgreSQL needed.
using System.Diagnostics;
using System.Globalization;
using OneCard.Domain.Money;
using OneCard.Rules.Evaluation;
using OneCard.Rules.Expressions;
using OneCard.Rules.RuleSets;
using RulesEngine.Models;

namespace OneCard.Bench;

internal static class RulesBench
{
    private const int Repetitions = 3;

    private static readonly string[] RatedCounties = ["210102", "210105", "210113", "210114", "210123", "210124"];

    private static readonly Dictionary<string, decimal> Rates = new(StringComparer.Ordinal)
    {
        ["210102|2026"] = 107.67m, ["210105|2026"] = 93.47m, ["210113|2026"] = 91.69m, ["210114|2026"] = 89.83m,
        ["210123|2026"] = 85.2m, ["210124|2026"] = 85.35m, ["210114|2025"] = 88.5m,
    };

    public static int Run(string[] args)
    {
        var lineCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var engineLines = Math.Min(lineCount, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000);
        var ruleSet = RuleSetLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "rules-bench.json"));
        Console.WriteLine($"OneCard rules benchmark: {ruleSet.VersionKey}, {ruleSet.Eligibility.Count} rules, {ruleSet.Facts.Count} facts " +
            $"({ruleSet.Facts.Count(f => f.IsComputed)} computed, {ruleSet.Facts.Count(f => f.IsLookup)} looked up).");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; absolute figures are noisy, ratios count), " +
            $"server GC: {System.Runtime.GCSettings.IsServerGC}.");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        Console.WriteLine($"{lineCount:N0} lines for (a), (a1) and (c); (b) RulesEngine on the first {engineLines:N0} of them. Warm-up, then median of {Repetitions}.");

        var lines = Generate(lineCount, seed: 2026);
        var evaluator = new RuleEvaluator(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(5) });
        // (a1): the same compiled path on one lane, to compare per-lane cost with (c) on one thread.
        var oneLane = new RuleEvaluator(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(5), MaxDegreeOfParallelism = 1 });
        var engine = new RulesEngine.RulesEngine([new Workflow
        {
            WorkflowName = ruleSet.VersionKey,
            Rules = [.. ruleSet.Eligibility.Select(r => new Rule
            {
                RuleName = r.Name, Expression = r.Expression, RuleExpressionType = RuleExpressionType.LambdaExpression, Enabled = true,
            })],
        }], HardenedSettings.Create());

        // Warm-up: JIT, the compiled delegates, RulesEngine's workflow compilation.
        var warm = lines.Take(20_000).ToList();
        _ = evaluator.EvaluateMany(ruleSet, warm);
        _ = oneLane.EvaluateMany(ruleSet, warm);
        if (args.Length > 2 && args[2] == "profile")
        {
            // Only (a1), repeatedly: for a sampling profiler (perf with DOTNET_PerfMapEnabled=1).
            for (var rep = 1; rep <= 10; rep++)
            {
                var clock = Stopwatch.StartNew();
                _ = oneLane.EvaluateMany(ruleSet, lines);
                Console.WriteLine($"  profile rep {rep} (a1) {lineCount / clock.Elapsed.TotalSeconds,12:N0} lines/s");
            }

            return 0;
        }

        foreach (var line in warm.Take(5_000)) _ = ViaRulesEngine(engine, ruleSet, line);
        foreach (var line in warm) _ = HandWritten(line);

        var a = new List<double>();
        var a1 = new List<double>();
        var b = new List<double>();
        var c = new List<double>();
        Outcome[]? outA = null, outA1 = null, outB = null, outC = null;
        long allocA = 0;
        int gen0A = 0, gen1A = 0, gen2A = 0;
        var engineSubset = lines.Take(engineLines).ToList();
        for (var rep = 1; rep <= Repetitions; rep++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var pauseBefore = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            var results = evaluator.EvaluateMany(ruleSet, lines);
            clock.Stop();
            allocA = GC.GetTotalAllocatedBytes(precise: true) - before;
            var pauseA = GC.GetTotalPauseDuration() - pauseBefore;
            (gen0A, gen1A, gen2A) = (GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2);
            a.Add(clock.Elapsed.TotalSeconds);
            outA ??= [.. results.Select(r => Outcome.Of(ruleSet, r))];
            results = null;
            Console.WriteLine($"  rep {rep} (a) compiled EvaluateMany   {lineCount / clock.Elapsed.TotalSeconds,12:N0} lines/s  " +
                $"({allocA / (double)lineCount:F0} B/line, GC {gen0A}/{gen1A}/{gen2A}, GC pauses {pauseA.TotalMilliseconds:N0} ms of {clock.Elapsed.TotalMilliseconds:N0} ms)");

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            pauseBefore = GC.GetTotalPauseDuration();
            clock.Restart();
            var oneLaneResults = oneLane.EvaluateMany(ruleSet, lines);
            clock.Stop();
            a1.Add(clock.Elapsed.TotalSeconds);
            outA1 ??= [.. oneLaneResults.Select(r => Outcome.Of(ruleSet, r))];
            oneLaneResults = null;
            Console.WriteLine($"  rep {rep} (a1) compiled, one lane   {lineCount / clock.Elapsed.TotalSeconds,12:N0} lines/s  " +
                $"(GC pauses {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:N0} ms of {clock.Elapsed.TotalMilliseconds:N0} ms)");

            GC.Collect();
            clock.Restart();
            var engineOut = new Outcome[engineSubset.Count];
            for (var i = 0; i < engineSubset.Count; i++) engineOut[i] = ViaRulesEngine(engine, ruleSet, engineSubset[i]);
            clock.Stop();
            b.Add(clock.Elapsed.TotalSeconds);
            outB ??= engineOut;
            Console.WriteLine($"  rep {rep} (b) RulesEngine per input   {engineSubset.Count / clock.Elapsed.TotalSeconds,12:N0} lines/s");

            GC.Collect();
            clock.Restart();
            var handOut = new Outcome[lines.Count];
            for (var i = 0; i < lines.Count; i++) handOut[i] = HandWritten(lines[i]);
            clock.Stop();
            c.Add(clock.Elapsed.TotalSeconds);
            outC ??= handOut;
            Console.WriteLine($"  rep {rep} (c) hand-written C#         {lineCount / clock.Elapsed.TotalSeconds,12:N0} lines/s");
        }

        // Identical outcomes, line for line.
        var mismatches = 0;
        for (var i = 0; i < lineCount; i++)
        {
            if (outA![i] != outC![i] || outA1![i] != outA[i] || (i < engineLines && outA[i] != outB![i]))
            {
                if (mismatches++ < 10)
                {
                    Console.WriteLine($"  MISMATCH line {i + 1}: (a) {outA[i]}  (a1) {outA1![i]}  (b) {(i < engineLines ? outB![i].ToString() : "-")}  (c) {outC[i]}");
                }
            }
        }

        var rateA = lineCount / Median(a);
        var rateA1 = lineCount / Median(a1);
        var rateB = engineLines / Median(b);
        var rateC = lineCount / Median(c);
        Console.WriteLine();
        Console.WriteLine($"outcomes: {outA!.Count(o => o.Kind == EvaluationOutcome.Eligible):N0} eligible, " +
            $"{outA!.Count(o => o.Kind == EvaluationOutcome.Ineligible):N0} ineligible, {outA!.Count(o => o.Kind == EvaluationOutcome.Faulted):N0} faulted");
        Console.WriteLine($"{"mode",-44} {"lines",10} {"median lines/s",15} {"best lines/s",13}");
        Console.WriteLine($"{"(a) compiled EvaluateMany",-44} {lineCount,10:N0} {rateA,15:N0} {lineCount / a.Min(),13:N0}");
        Console.WriteLine($"{"(a1) compiled, one lane",-44} {lineCount,10:N0} {rateA1,15:N0} {lineCount / a1.Min(),13:N0}");
        Console.WriteLine($"{"(b) RulesEngine ExecuteAllRulesAsync/input",-44} {engineLines,10:N0} {rateB,15:N0} {engineLines / b.Min(),13:N0}");
        Console.WriteLine($"{"(c) hand-written C#",-44} {lineCount,10:N0} {rateC,15:N0} {lineCount / c.Min(),13:N0}");
        Console.WriteLine($"a/b = {rateA / rateB:F1}x   a1/b = {rateA1 / rateB:F1}x   c/a = {rateC / rateA:F2}x   a1/c = {rateA1 / rateC:F2}x (per lane vs hand-written, one thread each)");
        Console.WriteLine($"(a) allocated {allocA / (double)lineCount:F0} bytes/line (last rep; results included), GC collections gen0/gen1/gen2 = {gen0A}/{gen1A}/{gen2A}");
        Console.WriteLine($"load average at end: {LoadAverage()}");
        Console.WriteLine(mismatches == 0
            ? $"outcomes identical line for line: (a) = (a1) = (c) on {lineCount:N0} lines, (a) = (b) on {engineLines:N0} lines"
            : $"FAILED: {mismatches:N0} lines differ");
        return mismatches == 0 ? 0 : 1;
    }

    /// <summary>What must be identical: outcome, amount, fault code and which rules failed (a bit per rule).</summary>
    internal readonly record struct Outcome(EvaluationOutcome Kind, decimal? Amount, string? FaultCode, int Failed)
    {
        public static Outcome Of(RuleSet ruleSet, ClaimEvaluation r)
        {
            var failed = 0;
            for (var i = 0; i < r.Rules.Count; i++)
            {
                if (!r.Rules[i].Passed && r.Rules[i].Fault is null) failed |= 1 << i;
            }

            return new Outcome(r.Outcome, r.Amount, r.FaultCode, failed);
        }
    }

    /// <summary>Deterministic lines: mostly eligible, every rule failing now and then, some lines faulting
    /// (a county or year without a published rate, a Beijing region code).</summary>
    private static List<IReadOnlyDictionary<string, object?>> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var asOf = new DateOnly(2026, 6, 30);
        var lines = new List<IReadOnlyDictionary<string, object?>>(count);
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(1000);
            var county = roll < 10 ? "210111" : roll < 20 ? "110105" : RatedCounties[random.Next(RatedCounties.Length)];
            var first17 = $"{county}{random.Next(1910, 2015)}{random.Next(1, 13):00}{random.Next(1, 29):00}{random.Next(1000):000}";
            var id = first17 + OneCard.Domain.Identity.IdNumber.CheckCharacter(first17);
            if (random.Next(100) < 2) id = id[..17] + (id[17] == '1' ? '2' : '1');
            var region = random.Next(100) switch
            {
                0 => county,
                < 50 => county + $"{random.Next(1, 30):000}",
                _ => county + $"{random.Next(1, 30):000}{random.Next(1, 300):000}",
            };
            var area = random.Next(100) == 0 ? 0m : Math.Round((decimal)(random.NextDouble() * (county == "210102" ? 260 : 120)), 2);
            var since = new DateOnly(random.Next(1995, 2027), random.Next(1, 13), random.Next(1, 29));
            lines.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["IdNumber"] = id,
                ["RegionCode"] = region,
                ["AreaMu"] = area,
                ["LandConverted"] = random.Next(100) < 4,
                ["AsOf"] = random.Next(100) == 0 ? new DateOnly(2025, 6, 30) : asOf,
                ["ContractSince"] = since,
            });
        }

        return lines;
    }

    // ---- (c) hand-written C# -------------------------------------------------------------------------------------

    private static Outcome HandWritten(IReadOnlyDictionary<string, object?> line)
    {
        var id = (string)line["IdNumber"]!;
        var region = (string)line["RegionCode"]!;
        var area = (decimal)line["AreaMu"]!;
        var converted = (bool)line["LandConverted"]!;
        var asOf = (DateOnly)line["AsOf"]!;
        var since = (DateOnly)line["ContractSince"]!;
        var valid = Fn.IsValidIdNumber(id, asOf);
        var age = valid ? Fn.Age(id, asOf) : -1;
        var county = Fn.County(region);
        if (!Rates.TryGetValue($"{county}|{asOf.Year}", out var rate))
        {
            return new Outcome(EvaluationOutcome.Faulted, null, FaultCodes.TableEntryMissing, 0);
        }

        var topUp = area >= 50 ? 0m : area >= 10 ? 2m : 5m;
        var failed = 0;
        if (!valid) failed |= 1 << 0;
        if (!Fn.InRegion(region, "21")) failed |= 1 << 1;
        if (!(area > 0)) failed |= 1 << 2;
        if (converted) failed |= 1 << 3;
        if (!(age >= 18)) failed |= 1 << 4;
        if (!(age <= 110)) failed |= 1 << 5;
        if (!(since <= asOf)) failed |= 1 << 6;
        if (!(Fn.MonthsBetween(since, asOf) >= 12)) failed |= 1 << 7;
        if (!(region.Length == 9 || region.Length == 12)) failed |= 1 << 8;
        if (!(county != "210102" || area <= 200)) failed |= 1 << 9;
        if (failed != 0)
        {
            return new Outcome(EvaluationOutcome.Ineligible, null, null, failed);
        }

        var amount = Yuan.Round((area * rate) + topUp);
        return amount > 108000m
            ? new Outcome(EvaluationOutcome.Faulted, null, FaultCodes.AmountAboveCeiling, 0)
            : new Outcome(EvaluationOutcome.Eligible, amount, null, 0);
    }

    // ---- (b) RulesEngine per input -------------------------------------------------------------------------------

    // Facts bound by hand (as (c)), then the ten rules through RulesEngine, one ExecuteAllRulesAsync per line.
    private static Outcome ViaRulesEngine(RulesEngine.RulesEngine engine, RuleSet ruleSet, IReadOnlyDictionary<string, object?> line)
    {
        var id = (string)line["IdNumber"]!;
        var region = (string)line["RegionCode"]!;
        var area = (decimal)line["AreaMu"]!;
        var asOf = (DateOnly)line["AsOf"]!;
        var age = Fn.IsValidIdNumber(id, asOf) ? Fn.Age(id, asOf) : -1;
        var county = Fn.County(region);
        if (!Rates.TryGetValue($"{county}|{asOf.Year}", out var rate))
        {
            return new Outcome(EvaluationOutcome.Faulted, null, FaultCodes.TableEntryMissing, 0);
        }

        var topUp = area >= 50 ? 0m : area >= 10 ? 2m : 5m;
        RuleParameter[] parameters =
        [
            RuleParameter.Create("IdNumber", id),
            RuleParameter.Create("RegionCode", region),
            RuleParameter.Create("AreaMu", area),
            RuleParameter.Create("LandConverted", (bool)line["LandConverted"]!),
            RuleParameter.Create("AsOf", asOf),
            RuleParameter.Create("ContractSince", (DateOnly)line["ContractSince"]!),
            RuleParameter.Create("Age", age),
            RuleParameter.Create("County", county),
            RuleParameter.Create("Year", asOf.Year),
            RuleParameter.Create("RatePerMu", rate),
            RuleParameter.Create("SmallFarmTopUp", topUp),
        ];
        var results = engine.ExecuteAllRulesAsync(ruleSet.VersionKey, parameters).AsTask().GetAwaiter().GetResult();
        var failed = 0;
        for (var i = 0; i < results.Count; i++)
        {
            if (!string.IsNullOrEmpty(results[i].ExceptionMessage))
            {
                return new Outcome(EvaluationOutcome.Faulted, null, FaultCodes.RuleError, 0);
            }

            if (!results[i].IsSuccess) failed |= 1 << i;
        }

        if (failed != 0)
        {
            return new Outcome(EvaluationOutcome.Ineligible, null, null, failed);
        }

        var amount = Yuan.Round((area * rate) + topUp);
        return amount > 108000m
            ? new Outcome(EvaluationOutcome.Faulted, null, FaultCodes.AmountAboveCeiling, 0)
            : new Outcome(EvaluationOutcome.Eligible, amount, null, 0);
    }

    // The 1, 5 and 15 minute load averages (Linux), to read the figures against how busy the machine was.
    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
