using Trove.Guest.Agent;

namespace Trove.Tests.Guest;

/// <summary>A long call the broker delivers again (its ack was lost with its channel) never runs twice at once; a kept
/// one (a backup) never runs again, within the bounded memory of finished runs.</summary>
public sealed class LongCallRunsTests
{
    private readonly LongCallRuns _runs = new();
    private int _started;

    private Func<Task> Counting(Task until) => async () =>
    {
        Interlocked.Increment(ref _started);
        await until;
    };

    [Fact]
    public async Task A_repeat_while_the_call_runs_joins_it_and_ends_with_it()
    {
        var release = new TaskCompletionSource();
        var repeats = new List<bool>();
        var first = _runs.RunOnceAsync("create_backup b1", Counting(release.Task), keepFinished: true);
        var repeat = _runs.RunOnceAsync("create_backup b1", Counting(Task.CompletedTask), keepFinished: true, repeats.Add);

        Assert.Same(first, repeat);
        Assert.Equal([false], repeats); // told that it joined a run under way
        release.SetResult();
        await repeat;
        Assert.Equal(1, _started);
    }

    [Fact]
    public async Task A_kept_run_does_not_run_again_after_its_end_and_another_key_runs_of_its_own()
    {
        await _runs.RunOnceAsync("create_backup b1", Counting(Task.CompletedTask), keepFinished: true);
        var repeats = new List<bool>();
        await _runs.RunOnceAsync("create_backup b1", Counting(Task.CompletedTask), keepFinished: true, repeats.Add);
        await _runs.RunOnceAsync("create_backup b2", Counting(Task.CompletedTask), keepFinished: true);

        Assert.Equal(2, _started);
        Assert.Equal([true], repeats);
    }

    [Fact]
    public async Task A_run_not_kept_runs_again_once_ended_and_a_failed_one_too()
    {
        await _runs.RunOnceAsync("prepare", Counting(Task.CompletedTask), keepFinished: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _runs.RunOnceAsync("prepare", Counting(Task.FromException(new InvalidOperationException("engine down"))), keepFinished: false));
        await _runs.RunOnceAsync("prepare", Counting(Task.CompletedTask), keepFinished: false);

        Assert.Equal(3, _started);
    }

    [Fact]
    public async Task Only_the_latest_finished_runs_are_remembered()
    {
        await _runs.RunOnceAsync("create_backup oldest", Counting(Task.CompletedTask), keepFinished: true);
        for (var i = 0; i < LongCallRuns.FinishedKept; i++)
            await _runs.RunOnceAsync($"create_backup b{i}", Counting(Task.CompletedTask), keepFinished: true);
        await _runs.RunOnceAsync($"create_backup b{LongCallRuns.FinishedKept - 1}", Counting(Task.CompletedTask), keepFinished: true);
        Assert.Equal(1 + LongCallRuns.FinishedKept, _started);

        await _runs.RunOnceAsync("create_backup oldest", Counting(Task.CompletedTask), keepFinished: true);
        Assert.Equal(2 + LongCallRuns.FinishedKept, _started);
    }
}
