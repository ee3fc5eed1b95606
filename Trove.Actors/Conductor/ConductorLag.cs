namespace Trove.Actors.Conductor;

/// <summary>
/// How far behind one conductor is: how long ago the reports it is handling were sent. The median age of the last
/// reports handled, so that a guest whose clock is off moves it little; while reports are in flight and none is handled
/// it grows with the time that passes (the conductor makes no progress); while none is in flight the queue is empty and
/// it keeps its last value. Written by the stream's stages, read by the conductor actor.
/// </summary>
public sealed class ConductorLag
{
    private const int Samples = 63;

    private readonly Lock _lock = new();
    private readonly double[] _ages = new double[Samples];
    private long _handled;
    private int _inFlight;
    private long _handledAtLastMeasure;
    private bool _inFlightAtLastMeasure;
    private DateTimeOffset? _lastMeasure;
    private TimeSpan _lag;

    public void Taken()
    {
        lock (_lock)
            _inFlight++;
    }

    /// <summary>A report its entity handled: its age counts.</summary>
    public void Handled(DateTimeOffset sent, DateTimeOffset now)
    {
        lock (_lock)
        {
            _inFlight--;
            _ages[_handled++ % Samples] = Math.Max(0, (now - sent).TotalSeconds);
        }
    }

    /// <summary>A report its entity did not take: it goes back to the queue, and says nothing of the conductor's lag.</summary>
    public void NotHandled()
    {
        lock (_lock)
            _inFlight--;
    }

    public TimeSpan Measure(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_handled > _handledAtLastMeasure)
            {
                var ages = _ages.Take((int)Math.Min(_handled, Samples)).Order().ToArray();
                _lag = TimeSpan.FromSeconds(ages[ages.Length / 2]);
            }
            else if (_inFlightAtLastMeasure && _inFlight > 0 && _lastMeasure is { } last)
                _lag += now - last;
            _handledAtLastMeasure = _handled;
            _inFlightAtLastMeasure = _inFlight > 0;
            _lastMeasure = now;
            return _lag;
        }
    }
}
