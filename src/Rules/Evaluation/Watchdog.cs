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
    public static T[] Run<T>(int count, Func<int, T> evaluate, Func<int, T> onTimeout, TimeSpan budget)
    {
        var results = new T[count];
        var next = 0;
        var poll = TimeSpan.FromTicks(Math.Clamp(budget.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
        while (next < count)
        {
            var run = new WorkerRun<T>(next, count, evaluate, results);
            var task = Task.Factory.StartNew(
                run.Work,
                CancellationToken.None,
                count - next > 1 ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
                TaskScheduler.Default);

            while (true)
            {
                if (task.Wait(poll))
                {
                    next = count;
                    break;
                }

                if (run.TryAbandonCurrent(budget, out var stuck))
                {
                    results[stuck] = onTimeout(stuck);
                    next = stuck + 1;
                    break;
                }
            }
        }

        return results;
    }

    private sealed class WorkerRun<T>(int start, int count, Func<int, T> evaluate, T[] results)
    {
        private readonly Lock _gate = new();
        private int _current = -1;
        private long _startedAt;
        private bool _abandoned;

        public void Work()
        {
            for (var i = start; i < count; i++)
            {
                lock (_gate)
                {
                    if (_abandoned)
                    {
                        return;
                    }

                    _current = i;
                    _startedAt = Stopwatch.GetTimestamp();
                }

                var result = evaluate(i);
                lock (_gate)
                {
                    // A late result of an abandoned line is dropped: the timeout verdict already stands.
                    if (_abandoned)
                    {
                        return;
                    }

                    results[i] = result;
                    _current = -1;
                }
            }
        }

        public bool TryAbandonCurrent(TimeSpan budget, out int stuck)
        {
            lock (_gate)
            {
                stuck = _current;
                if (_current < 0 || Stopwatch.GetElapsedTime(_startedAt) <= budget)
                {
                    return false;
                }

                _abandoned = true;
                return true;
            }
        }
    }
}
