namespace Trove.Tests.Support;

/// <summary>One real node shared by the API and end-to-end tests of the "node" collection.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public TroveNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await TroveNode.StartAsync(TroveNode.NewDataDir());

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

[CollectionDefinition("node")]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>;

/// <summary>
/// A second shared node, for the longest end-to-end classes: the two collections run beside each other, each serially,
/// so the suite is not as long as all of them in a row.
/// </summary>
[CollectionDefinition("second-node")]
public sealed class SecondNodeCollection : ICollectionFixture<NodeFixture>;
