namespace Trove.Tests.Support;

/// <summary>One real node shared by the API and end-to-end tests of the "node" collection; a subclass that gives
/// <see cref="Settings"/> is a class's own node, shared by its facts.</summary>
public class NodeFixture : IAsyncLifetime
{
    public TroveNode Node { get; private set; } = null!;

    /// <summary>The node's settings (environment variables, see <see cref="TroveNode.StartAsync"/>).</summary>
    protected virtual IDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public async Task InitializeAsync() => Node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>(Settings));

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

[CollectionDefinition("node")]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>, IClassFixture<InstancesLeftDeleted>;

/// <summary>
/// A second shared node, for the longest end-to-end classes: the two collections run beside each other, each serially,
/// so the suite is not as long as all of them in a row.
/// </summary>
[CollectionDefinition("second-node")]
public sealed class SecondNodeCollection : ICollectionFixture<NodeFixture>, IClassFixture<InstancesLeftDeleted>;
