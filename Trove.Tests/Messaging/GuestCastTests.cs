using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Broker;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;
using Trove.Tests.Support;

namespace Trove.Tests.Messaging;

/// <summary>The node's casts to a guest (a prepare, a pool server's first ping), through its own broker clients, on the
/// real broker: queued for a guest that has not booted, and no declare (a channel opened and closed) for a queue there.</summary>
public sealed class GuestCastTests : IAsyncLifetime
{
    private static readonly RpcMessage Ping = RpcMessage.Create(GuestMethods.RpcPing, new { });
    private TestBroker _broker = null!;
    private AmqpClients _clients = null!;
    private AmqpGuestRpc _guests = null!;
    private readonly string _instanceId = Guid.NewGuid().ToString();

    private string Queue => TroveBroker.GuestQueue(_instanceId);

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _clients = new AmqpClients(_broker.Settings, NullLogger<AmqpClients>.Instance);
        await _clients.StartAsync(CancellationToken.None);
        _guests = new AmqpGuestRpc(_clients, _broker.Users, new OlderReleaseGuests());
    }

    public async Task DisposeAsync()
    {
        await _broker.Node.DeleteQueueAsync(Queue);
        await _clients.StopAsync(CancellationToken.None);
        await _broker.DisposeAsync();
    }

    private async Task<uint> WaitingAsync() => (await _broker.Node.InspectQueueAsync(Queue))?.Messages ?? 0;

    [Fact]
    public async Task A_cast_waits_in_the_queue_of_a_guest_not_booted_and_casts_to_its_queue_open_no_channel()
    {
        Assert.Null(await _broker.Node.InspectQueueAsync(Queue));
        await _guests.CastAsync(_instanceId, Ping);
        Assert.Equal(1u, await WaitingAsync());

        var opened = _clients.Connector.ChannelsOpened;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _guests.CastAsync(_instanceId, Ping)));
        Assert.Equal(21u, await WaitingAsync());
        Assert.Equal(opened, _clients.Connector.ChannelsOpened);
    }

    [Fact]
    public async Task A_cast_after_its_queue_was_deleted_behind_the_node_declares_it_again()
    {
        await _guests.CastAsync(_instanceId, Ping);
        await _broker.Node.DeleteQueueAsync(Queue);

        await _guests.CastAsync(_instanceId, Ping);
        Assert.Equal(1u, await WaitingAsync());
    }
}
