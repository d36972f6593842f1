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
    /// <param name="lanes">How many workers share the lines; each line keeps the budget.</param>
    public static T[] Run<T>(int count, Func<int, T> evaluate, Func<int, T> onTimeout, TimeSpan budget, int lanes = 1)
    {
        var results = new T[count];
        if (count == 0)
        {
            return results;
        }

        var poll = TimeSpan.FromTicks(Math.Clamp(budget.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
        lanes = Math.Clamp(lanes, 1, count);

        // Lanes take contiguous chunks of lines from a shared counter, so a lane slowed by a busy machine does fewer
        // lines instead of finishing last; one lane takes everything in one chunk.
        var claim = new Claim(count, lanes == 1 ? count : Math.Clamp(count / (lanes * 32), 64, 4_096));
        var runs = new WorkerRun<T>?[lanes];
        var tasks = new Task?[lanes];
        for (var lane = 0; lane < lanes; lane++)
        {
            Start(lane, 0, 0);
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

                if (runs[lane]!.TryAbandonCurrent(budget, out var stuck, out var chunkEnd))
                {
                    // The rest of the stuck line's chunk, then more chunks, on a fresh worker.
                    results[stuck] = onTimeout(stuck);
                    Start(lane, stuck + 1, chunkEnd);
                }
            }
        }

        void Start(int lane, int from, int end)
        {
            var run = new WorkerRun<T>(from, end, claim, evaluate, results);
            runs[lane] = run;
            tasks[lane] = Task.Factory.StartNew(
                run.Work,
                CancellationToken.None,
                count > 1 ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
                TaskScheduler.Default);
        }
    }

    // The next chunk of lines not yet handed to a lane.
    private sealed class Claim(int count, int chunk)
    {
        private long _next;

        public bool TryTake(out int from, out int end)
        {
            var start = Interlocked.Add(ref _next, chunk) - chunk;
            if (start >= count)
            {
                from = end = 0;
                return false;
            }

            from = (int)start;
            end = (int)Math.Min(count, start + chunk);
            return true;
        }
    }

    // Per line, two compare-and-swaps on the worker's own state and a timestamp; no lock. _current is the line being
    // evaluated, Idle between lines (the worker then owns results), or Abandoned once the watchdog gave up on a line:
    // exactly one of "the worker keeps its result" and "the watchdog times the line out" wins, as under a lock.
    private sealed class WorkerRun<T>(int from, int end, Claim claim, Func<int, T> evaluate, T[] results)
    {
        private const int Idle = -1;
        private const int Abandoned = int.MinValue;
        private int _current = Idle;
        private long _startedAt;
        private int _end = end;

        public void Work()
        {
            var (first, last) = (from, Volatile.Read(ref _end));
            while (true)
            {
                for (var i = first; i < last; i++)
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

                if (!claim.TryTake(out first, out last))
                {
                    return;
                }

                // Written before any line of the chunk is published; read by the watchdog only once it has abandoned one.
                Volatile.Write(ref _end, last);
            }
        }

        /// <summary>Abandons the line in progress when it has run past the budget: its index, and the end of its chunk.</summary>
        public bool TryAbandonCurrent(TimeSpan budget, out int stuck, out int chunkEnd)
        {
            chunkEnd = 0;
            stuck = Volatile.Read(ref _current);
            if (stuck < 0 || Stopwatch.GetElapsedTime(Volatile.Read(ref _startedAt)) <= budget
                || Interlocked.CompareExchange(ref _current, Abandoned, stuck) != stuck)
            {
                return false;
            }

            chunkEnd = Volatile.Read(ref _end);
            return true;
        }
    }
}
