using Microsoft.Extensions.Logging;
using Trove.Contracts.Guests;
using Trove.Guest.Datastores;

namespace Trove.Guest.Agent;

/// <summary>
/// Starts the engine again when it stopped without being asked (killed, crashed), as a server's init system would,
/// with backoff while starting fails. The engine's lifecycle (start, stop, restart, resize) goes through
/// <see cref="LifecycleAsync"/>, which says whether the engine is meant to run and keeps the watchdog out meanwhile: an
/// engine stopped on purpose (stop_db, before a delete) stays stopped.
/// </summary>
public sealed class EngineWatchdog(IDatastoreManager manager, ILogger<EngineWatchdog> log)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private volatile bool _wanted = true;
    private TimeSpan _delay = FirstDelay;
    private DateTimeOffset _nextAttempt = DateTimeOffset.MinValue;
    private int _attempts;

    /// <summary>Runs one change of the engine's lifecycle; afterwards the engine is meant to run, or not.</summary>
    public async Task LifecycleAsync(bool meantToRun, Func<Task> change)
    {
        await _lifecycle.WaitAsync();
        try
        {
            _wanted = meantToRun;
            await change();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Given the status the heartbeat just reported: an engine that is down but meant to run is started
    /// again, unless a lifecycle change is under way or the backoff says not yet.</summary>
    public async Task CheckAsync(string status, CancellationToken ct)
    {
        if (status != ServiceStatusNames.Shutdown)
        {
            if (_attempts > 0)
                log.LogInformation("the engine runs again after {Attempts} attempt(s)", _attempts);
            (_attempts, _delay, _nextAttempt) = (0, FirstDelay, DateTimeOffset.MinValue);
            return;
        }
        if (!_wanted || DateTimeOffset.UtcNow < _nextAttempt || !await _lifecycle.WaitAsync(0, ct))
            return;
        try
        {
            if (!_wanted)
                return;
            _attempts++;
            log.LogWarning("the engine stopped without being asked; starting it again (attempt {Attempt})", _attempts);
            await manager.StartAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _nextAttempt = DateTimeOffset.UtcNow + _delay;
            log.LogWarning("starting the engine again failed ({Error}); next attempt in {Delay} s", e.Message, _delay.TotalSeconds);
            _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, MaxDelay.Ticks));
        }
        finally
        {
            _lifecycle.Release();
        }
    }
}
