using System.Diagnostics;

namespace OneCard.Rules.Evaluation;

/// <summary>Runs line evaluations on a worker and gives up on any line that exceeds the time budget.</summary>
/// <remarks>
/// .NET cannot abort a thread, so a runaway line is abandoned, not stopped: its worker keeps running until the line
/// finishes, and its late result is discarded. Lines after it continue on a fresh worker. That is why the expression
/// allow-list (no Range/Repeat/PadLeft, bounded arrays and lambda depth) is the primary CPU guard and this is the backstop.
/// </remarks>
internal static class Watchdog
{
    /// <param name="lanes">How many workers share the lines, each a contiguous range; each line keeps the budget.</param>
    public static T[] Run<T>(int count, Func<int, T> evaluate, Func<int, T> onTimeout, TimeSpan budget, int lanes = 1)
    {
        var results = new T[count];
        var poll = TimeSpan.FromTicks(Math.Clamp(budget.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
        lanes = Math.Clamp(lanes, 1, Math.Max(1, count));

        // Each lane: [next, end) still to do, and the worker currently on it (null when the lane is done).
        var ends = new int[lanes];
        var runs = new WorkerRun<T>?[lanes];
        var tasks = new Task?[lanes];
        for (var lane = 0; lane < lanes; lane++)
        {
            var start = (int)((long)count * lane / lanes);
            ends[lane] = (int)((long)count * (lane + 1) / lanes);
            Start(lane, start);
        }

        while (true)
        {
            var active = tasks.Where(t => t is not null).Cast<Task>().ToArray();
            if (active.Length == 0)
            {
                return results;
            }

            Task.WaitAny(active, poll);
            for (var lane = 0; lane < lanes; lane++)
            {
                if (tasks[lane] is not { } task)
                {
                    continue;
                }

                if (task.IsCompleted)
                {
                    // A worker that threw (it never should: evaluate turns every failure into a result) must not be lost.
                    task.GetAwaiter().GetResult();
                    tasks[lane] = null;
                    runs[lane] = null;
                    continue;
                }

                if (runs[lane]!.TryAbandonCurrent(budget, out var stuck))
                {
                    results[stuck] = onTimeout(stuck);
                    Start(lane, stuck + 1);
                }
            }
        }

        void Start(int lane, int from)
        {
            if (from >= ends[lane])
            {
                runs[lane] = null;
                tasks[lane] = null;
                return;
            }

            var run = new WorkerRun<T>(from, ends[lane], evaluate, results);
            runs[lane] = run;
            tasks[lane] = Task.Factory.StartNew(
                run.Work,
                CancellationToken.None,
                ends[lane] - from > 1 ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
                TaskScheduler.Default);
        }
    }

    // Per line, two compare-and-swaps on the worker's own state and a timestamp; no lock. _current is the line being
    // evaluated, Idle between lines (the worker then owns results), or Abandoned once the watchdog gave up on a line:
    // exactly one of "the worker keeps its result" and "the watchdog times the line out" wins, as under a lock.
    private sealed class WorkerRun<T>(int start, int count, Func<int, T> evaluate, T[] results)
    {
        private const int Idle = -1;
        private const int Abandoned = int.MinValue;
        private int _current = Idle;
        private long _startedAt;

        public void Work()
        {
            for (var i = start; i < count; i++)
            {
                // The start time is written before the line is published, so the watchdog never pairs a line with an
                // earlier line's start (a later one only makes it wait longer).
                Volatile.Write(ref _startedAt, Stopwatch.GetTimestamp());
                if (Interlocked.CompareExchange(ref _current, i, Idle) != Idle)
                {
                    return;
                }

                var result = evaluate(i);

                // A late result of an abandoned line is dropped: the timeout verdict already stands.
                if (Interlocked.CompareExchange(ref _current, Idle, i) != i)
                {
                    return;
                }

                results[i] = result;
            }
        }

        public bool TryAbandonCurrent(TimeSpan budget, out int stuck)
        {
            stuck = Volatile.Read(ref _current);
            if (stuck < 0 || Stopwatch.GetElapsedTime(Volatile.Read(ref _startedAt)) <= budget)
            {
                return false;
            }

            return Interlocked.CompareExchange(ref _current, Abandoned, stuck) == stuck;
        }
    }
}
