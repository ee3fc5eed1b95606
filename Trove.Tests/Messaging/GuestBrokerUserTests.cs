using Trove.Actors.Broker;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Trove.Actors.Guests;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Actors.Hosting;
using Trove.Amqp;

namespace Trove.Tests.Messaging;

/// <summary>What the broker lets a guest's own user do: its own queue and its reports, nothing of another guest's.</summary>
public sealed class GuestBrokerUserTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private static RpcMessage Heartbeat(string instanceId) =>
        RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(instanceId, new HeartbeatPayload(ServiceStatusNames.Healthy), HeartbeatArgs.Now()));

    private async Task<uint> WaitingIn(string queue) => (await _broker.Node.InspectQueueAsync(queue))!.Value.Messages;

    /// <summary>A refused operation closes the channel with the broker's code.</summary>
    private static async Task<ushort> RefusalOf(Func<IChannel, Task> operation, AmqpConnector connection)
    {
        await using var channel = await connection.OpenChannelAsync(confirms: true);
        var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => operation(channel));
        return refused.ShutdownReason!.ReplyCode;
    }

    [Fact]
    public async Task A_guest_reads_its_own_queue_and_not_another_guests()
    {
        var (a, _) = await _broker.GuestAsync();
        var (_, guestB) = await _broker.GuestAsync();
        await _broker.PublishAsync(_broker.Node, TroveBroker.GuestQueue(a), RpcMessage.Create(GuestMethods.CreateUser, new { password = "secret" }));

        Assert.Equal(403, await RefusalOf(c => c.BasicGetAsync(TroveBroker.GuestQueue(a), autoAck: true), guestB));
        Assert.Equal(403, await RefusalOf(c => c.BasicConsumeAsync(TroveBroker.GuestQueue(a), true, new AsyncDefaultBasicConsumer(c)), guestB));
        // Nor by binding a queue of its own to where A's messages go.
        Assert.Equal(403, await RefusalOf(c => c.QueueDeclareAsync("", false, true, true), guestB));
        Assert.Equal(1u, await WaitingIn(TroveBroker.GuestQueue(a)));
    }

    [Fact]
    public async Task A_guest_cannot_publish_into_another_guests_queue_through_any_exchange()
    {
        var (a, _) = await _broker.GuestAsync();
        var (_, guestB) = await _broker.GuestAsync();
        var exchanges = (await _broker.Management.GetFromJsonAsync<JsonArray>("api/exchanges/%2F"))!
            .Select(e => (string)e!["name"]!).ToList();
        Assert.Contains("", exchanges); // the default exchange, which routes to any queue by name
        Assert.Contains(_broker.Settings.Exchange, exchanges);
        Assert.Contains(_broker.Settings.ReplyExchange, exchanges);

        foreach (var exchange in exchanges)
            Assert.Equal(403, await RefusalOf(c => c.BasicPublishAsync(exchange, TroveBroker.GuestQueue(a), true,
                new BasicProperties(), Heartbeat(a).ToBytes()).AsTask(), guestB));
        Assert.Equal(0u, await WaitingIn(TroveBroker.GuestQueue(a)));
    }

    [Fact]
    public async Task A_guest_reports_to_the_conductor_as_itself_only()
    {
        var (a, _) = await _broker.GuestAsync();
        var (b, guestB) = await _broker.GuestAsync();
        await _broker.PublishAsync(guestB, _broker.Settings.ConductorQueue, Heartbeat(b));
        Assert.Equal(1u, await WaitingIn(_broker.Settings.ConductorQueue));

        // The broker checks a message's user-id against the publisher's login.
        Assert.Equal(406, await RefusalOf(c => c.BasicPublishAsync(_broker.Settings.Exchange, _broker.Settings.ConductorQueue, true,
            new BasicProperties { UserId = TroveBroker.GuestUser(a) }, Heartbeat(a).ToBytes()).AsTask(), guestB));
        Assert.Equal(1u, await WaitingIn(_broker.Settings.ConductorQueue));
    }

    [Fact]
    public async Task Revoking_deletes_the_user_and_repeating_it_does_nothing()
    {
        var (b, guestB) = await _broker.GuestAsync();
        await guestB.DisposeAsync();
        await _broker.Users.RevokeAsync(b);
        await _broker.Users.RevokeAsync(b);
        Assert.Equal(HttpStatusCode.NotFound, (await _broker.Management.GetAsync($"api/users/{TroveBroker.GuestUser(b)}")).StatusCode);
        var factory = new ConnectionFactory { Uri = new Uri(_broker.Users.CredentialsOf(b).UriOn(_broker.Settings.Uri)) };
        await Assert.ThrowsAnyAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
    }

    [Fact]
    public void A_guests_password_is_the_same_after_a_restart_and_on_every_node_of_a_cluster_and_differs_per_instance()
    {
        var dataDir = TroveNode.NewDataDir();
        var otherNode = TroveNode.NewDataDir();
        try
        {
            var first = GuestBrokerUsers.FromSettings(new BrokerSettings(), dataDir).CredentialsOf("i1");
            Assert.Equal(first, GuestBrokerUsers.FromSettings(new BrokerSettings(), dataDir).CredentialsOf("i1"));
            Assert.NotEqual(first.Password, GuestBrokerUsers.FromSettings(new BrokerSettings(), dataDir).CredentialsOf("i2").Password);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "guest-broker.key")));
            Assert.DoesNotContain(first.Password, first.ToString());

            Assert.Throws<InvalidOperationException>(() => GuestBrokerUsers.FromSettings(new BrokerSettings(), dataDir, clustered: true));
            var configured = new BrokerSettings { GuestSecret = "shared by the nodes of a cluster" };
            Assert.Equal(GuestBrokerUsers.FromSettings(configured, dataDir).CredentialsOf("i1"),
                GuestBrokerUsers.FromSettings(configured, otherNode, clustered: true).CredentialsOf("i1"));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            Directory.Delete(otherNode, recursive: true);
        }
    }
}
