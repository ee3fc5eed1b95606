using Trove.Actors.Compute;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>A server whose creation is cancelled (its instance was deleted during the build) is reported before anything of
/// it is made, and what the cancelled creation made is all removed by the server's deletion.</summary>
public sealed class LocalComputeCancelTests : IDisposable
{
    private readonly ShellGuestCompute _host = new(pristineData: false);

    public void Dispose() => _host.Dispose();

    /// <summary>Cancels the creation the moment the server is reported, as an instance deleted then would.</summary>
    private sealed class CancelOnAccepted(CancellationTokenSource cancel) : IProgress<ServerStep>
    {
        public List<ServerStep> Reported { get; } = [];

        public void Report(ServerStep step)
        {
            Reported.Add(step);
            cancel.Cancel();
        }
    }

    [Fact]
    public async Task A_creation_cancelled_once_its_server_is_reported_leaves_nothing_after_the_servers_deletion()
    {
        var compute = _host.Compute;
        var spec = new ServerSpec(Guid.NewGuid().ToString(), "postgresql", "15", 512, 1) { Broker = new("guest", "pw") };
        using var cancel = new CancellationTokenSource();
        var steps = new CancelOnAccepted(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compute.CreateServerAsync(spec, steps, cancel.Token));
        var accepted = Assert.IsType<ServerStep.ServerAccepted>(Assert.Single(steps.Reported));
        Assert.Equal(spec.InstanceId, accepted.ServerId);

        await compute.DeleteServerAsync(accepted.ServerId, CancellationToken.None);
        Assert.Null(await compute.GetServerAsync(accepted.ServerId, CancellationToken.None));
        Assert.Null(ServerUsers.IdsOf(ServerUsers.NameOf(spec.InstanceId)));
    }
}
