namespace Trove.Guest.Agent;

/// <summary>
/// The runs of long calls in this guest process, by key. The agent acks a message only once it is handled, so a call
/// whose channel closed under it is delivered again (at-least-once) while it still runs: the repeat joins the run under
/// way instead of starting a second one beside it. A run kept once finished (a backup) is not run again at all; the
/// last <see cref="FinishedKept"/> of those are remembered.
/// </summary>
public sealed class LongCallRuns
{
    public const int FinishedKept = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _runs = [];
    private readonly Queue<string> _finished = new();

    /// <summary>The run under <paramref name="key"/>: the one under way or kept, else a new one of <paramref name="run"/>.</summary>
    /// <param name="keepFinished">whether a repeat after the end does nothing (true) or runs again (false)</param>
    /// <param name="repeated">told when the call is a repeat, which runs nothing of its own; with whether the run ended</param>
    public Task RunOnceAsync(string key, Func<Task> run, bool keepFinished, Action<bool>? repeated = null)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(key, out var existing))
            {
                repeated?.Invoke(existing.IsCompleted);
                return existing;
            }
            // On the thread pool: its end takes the lock, so it finds itself in the map even if it ends at once.
            var started = Task.Run(() => RunThenEndAsync(key, run, keepFinished));
            _runs[key] = started;
            return started;
        }
    }

    private async Task RunThenEndAsync(string key, Func<Task> run, bool keepFinished)
    {
        try
        {
            await run();
        }
        finally
        {
            lock (_gate)
            {
                if (!keepFinished)
                {
                    _runs.Remove(key);
                }
                else
                {
                    _finished.Enqueue(key);
                    if (_finished.Count > FinishedKept)
                        _runs.Remove(_finished.Dequeue());
                }
            }
        }
    }
}
