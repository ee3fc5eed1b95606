using System.Collections.Immutable;

namespace Trove.Actors.Guests;

/// <summary>
/// The time as the conductors have got through the guests' reports: now less the lag of the conductor furthest behind
/// (a report for any instance may sit in any conductor's hands). A guest is lost when it has been silent for the
/// expiry by this clock, not by the wall's: while the conductors fall behind, it slows down, and a heartbeat still
/// in the queue does not expire its instance. A conductor not heard of for <see cref="ForgetAfter"/> (its node left)
/// counts no more; with none, it is the wall clock. One per node, fed by the conductor clock actor (Conductor/).
/// </summary>
public sealed class ConductorClock
{
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(5);

    private ImmutableDictionary<string, (TimeSpan Lag, DateTimeOffset Heard)> _conductors =
        ImmutableDictionary<string, (TimeSpan, DateTimeOffset)>.Empty;

    public void Heard(string conductor, TimeSpan lag, DateTimeOffset now) =>
        ImmutableInterlocked.Update(ref _conductors, c => c.SetItem(conductor, (lag, now)));

    /// <summary>The conductors that count, each with how far behind it said it was.</summary>
    public IReadOnlyList<(string Conductor, TimeSpan Lag)> Conductors(DateTimeOffset now) =>
        Volatile.Read(ref _conductors).Where(c => now - c.Value.Heard < ForgetAfter).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => (c.Key, c.Value.Lag)).ToList();

    public TimeSpan Lag(DateTimeOffset now) => Conductors(now).Select(c => c.Lag).DefaultIfEmpty().Max();

    public DateTimeOffset Now(DateTimeOffset now) => now - Lag(now);
}
