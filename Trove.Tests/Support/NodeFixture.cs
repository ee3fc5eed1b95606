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
