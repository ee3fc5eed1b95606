using Trove.Actors.Compute;

namespace Trove.Tests.Compute;

public sealed class HostCommandTests : IDisposable
{
    private readonly string _marker = Path.Combine(Path.GetTempPath(), $"host-command-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_marker);

    [Fact]
    public async Task A_cancelled_tool_runs_to_its_end_before_the_cancel_is_seen()
    {
        using var cancel = new CancellationTokenSource();
        var run = HostCommand.RunAsync("/bin/sh", ["-c", "sleep 0.5; touch \"$0\"", _marker], cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(File.Exists(_marker)); // nothing the tool does happens after its caller went on
    }
}
