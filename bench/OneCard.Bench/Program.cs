// OneCard benchmarks; bench/run.sh names them. Stopwatch, not BenchmarkDotNet: one measurement is a submission or a batch
// of hundreds of thousands of rows on a fresh database, which BenchmarkDotNet's per-invocation setup cannot hold out of the
// figures and whose statistics would need dozens of such iterations; each benchmark measures its baseline in the same run.
//
// Usage: bench/run.sh [roster] [lines=1000000] [chunk] | pipeline [lines] [registry] | engine … | sla … | payments … | crosschecks … | rules …
using System.Globalization;
using OneCard.Bench;

// `bench/run.sh rules [lines] [rulesEngineLines]`: the rules benchmark (RulesBench.cs); no database.
if (args is ["rules", ..]) { Environment.ExitCode = RulesBench.Run(args[1..]); return; }
if (args.Length > 0 && args[0] == "engine")
{
    await EngineBench.RunAsync(args[1..]);
    return;
}
// `bench/run.sh sla [tasks]`: the supervisor view's query benchmark (SlaBench.cs).
if (args is ["sla", ..]) { await SlaBench.RunAsync(args[1..]); return; }
// `bench/run.sh payments [lines=1000000]`: the bank file and result import benchmark (PaymentsBench.cs, bench/PAYMENTS.md).
if (args is ["payments", ..]) { await PaymentsBench.RunAsync(args[1..]); return; }
if (args is ["crosschecks", ..]) { await CrossCheckBench.RunAsync(args[1..]); return; }
// `bench/run.sh pipeline [lines=1000000] [registry=5000000]`: upload to "ready for review" (PipelineBench.cs, REGISTRY.md).
if (args is ["pipeline", ..]) { await PipelineBench.RunAsync(args[1..]); return; }
// `bench/run.sh roster [lines=1000000] [chunk]` (or just `bench/run.sh [lines]`): the roster pipeline vs raw COPY (RosterBench.cs).
await RosterBench.RunAsync(args is ["roster", ..] ? args[1..] : args.Where(a => int.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)).Take(1).ToArray());
