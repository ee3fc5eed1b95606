using Trove.Actors.Conductor;
using Trove.Actors.Guests;

namespace Trove.Tests.Conductor;

public sealed class ConductorClockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void A_conductors_lag_is_the_median_age_of_the_reports_it_handled_so_one_guest_with_a_wrong_clock_moves_it_little()
    {
        var lag = new ConductorLag();
        for (var i = 0; i < 20; i++)
        {
            lag.Taken();
            lag.Handled(At(i - 60), At(i)); // sent a minute before they were handled
        }
        lag.Taken();
        lag.Handled(At(-3600), At(20)); // a guest whose clock is an hour late
        Assert.Equal(TimeSpan.FromSeconds(60), lag.Measure(At(20)));
    }

    [Fact]
    public void A_conductor_stuck_with_reports_in_flight_falls_behind_and_an_idle_one_keeps_its_lag()
    {
        var lag = new ConductorLag();
        lag.Taken();
        lag.Handled(At(-2), At(0));
        Assert.Equal(TimeSpan.FromSeconds(2), lag.Measure(At(0)));
        Assert.Equal(TimeSpan.FromSeconds(2), lag.Measure(At(1))); // idle: the queue is empty

        lag.Taken();
        Assert.Equal(TimeSpan.FromSeconds(2), lag.Measure(At(2))); // taken since the last look: not stuck yet
        Assert.Equal(TimeSpan.FromSeconds(3), lag.Measure(At(3)));
        Assert.Equal(TimeSpan.FromSeconds(5), lag.Measure(At(5)));
        lag.Handled(At(0), At(5));
        Assert.Equal(TimeSpan.FromSeconds(5), lag.Measure(At(6)));
    }

    [Fact]
    public void The_clock_runs_as_far_behind_as_the_conductor_furthest_behind_and_forgets_one_not_heard_of()
    {
        var clock = new ConductorClock();
        Assert.Equal(At(0), clock.Now(At(0))); // no conductor: the wall clock
        clock.Heard("a", TimeSpan.FromSeconds(3), At(0));
        clock.Heard("b", TimeSpan.FromSeconds(40), At(0));
        Assert.Equal(At(-39), clock.Now(At(1)));
        clock.Heard("a", TimeSpan.FromSeconds(3), At(6));
        Assert.Equal(At(3), clock.Now(At(6))); // b's node left
    }
}
