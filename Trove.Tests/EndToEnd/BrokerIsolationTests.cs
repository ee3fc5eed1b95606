using System.Net;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.EndToEnd;

/// <summary>Two real guests on one node, each on the broker user the node made for it: neither reaches the other.</summary>
[Collection("node")]
public sealed class BrokerIsolationTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private GuestInfo GuestInfoOf(string id) =>
        GuestInfoJson.Read(Path.Combine(Node.ServersDir, id, "guest_info.json"));

    /// <summary>A connection as the guest of <paramref name="id"/>, with what its server was given.</summary>
    private static async Task<AmqpConnector> ConnectAsGuestAsync(GuestInfo info)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(info.AmqpUri, "test-as-guest"), timeout.Token);
    }

    private static RpcMessage Heartbeat(string instanceId, string status, double sent) =>
        RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(instanceId, new HeartbeatPayload(status), sent));

    private async Task WaitForLogAsync(string text)
    {
        var log = Path.Combine(Node.DataDir, "node.log");
        for (var i = 0; i < 300; i++)
        {
            await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if ((await new StreamReader(stream).ReadToEndAsync()).Contains(text))
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"the node never logged '{text}'");
    }

    [Fact]
    public async Task A_guest_cannot_read_or_write_another_guests_queue_nor_report_for_it_and_its_user_goes_with_it()
    {
        var a = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("broker-a")))["id"]!;
        var b = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("broker-b")))["id"]!;
        await Node.WaitForStatusAsync("demo", a, "ACTIVE", TimeSpan.FromSeconds(90));
        await Node.WaitForStatusAsync("demo", b, "ACTIVE", TimeSpan.FromSeconds(90));

        var infoB = GuestInfoOf(b);
        Assert.Equal(TroveBroker.GuestUser(b), new AmqpConnectionSettings(infoB.AmqpUri, "").UserName); // not the node's user
        await using var guestB = await ConnectAsGuestAsync(infoB);
        await using (var channel = await guestB.OpenChannelAsync(confirms: true))
        {
            var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => channel.BasicGetAsync(TroveBroker.GuestQueue(a), true));
            Assert.Equal(403, refused.ShutdownReason!.ReplyCode);
        }
        await using (var channel = await guestB.OpenChannelAsync(confirms: true))
        {
            var enableRoot = RpcMessage.Create(GuestMethods.EnableRoot, new EnableRootArgs("taken")).ToBytes();
            var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() =>
                channel.BasicPublishAsync("", TroveBroker.GuestQueue(a), true, new BasicProperties(), enableRoot).AsTask());
            Assert.Equal(403, refused.ShutdownReason!.ReplyCode);
        }

        // B reports A shut down; A's own user reports it from the future (which would make A's real heartbeats stale).
        await using (var publisher = new AmqpPublisher(guestB))
            await publisher.PublishAsync(OutgoingMessage.Json(infoB.Exchange, infoB.ConductorQueue,
                Heartbeat(a, ServiceStatusNames.Shutdown, HeartbeatArgs.Now()).ToBytes()));
        await using (var guestA = await ConnectAsGuestAsync(GuestInfoOf(a)))
        await using (var publisher = new AmqpPublisher(guestA))
            await publisher.PublishAsync(OutgoingMessage.Json(infoB.Exchange, infoB.ConductorQueue,
                Heartbeat(a, ServiceStatusNames.Shutdown, HeartbeatArgs.Now() + 3600).ToBytes()));
        await WaitForLogAsync($"refused a heartbeat for instance {a}: published by broker user '{TroveBroker.GuestUser(b)}'");
        await WaitForLogAsync($"refused a heartbeat for instance {a}: sent at");
        var status = await Node.AdminAsync("amqp", "status");
        Assert.Matches(@"refused: [2-9]\d* reports", status.Output);
        var shown = await Node.ShowAsync("demo", a);
        Assert.Equal(("ACTIVE", "HEALTHY"), ((string?)shown!["status"], (string?)shown["operating_status"]));

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{b}")).StatusCode);
        for (var i = 0; i < 600 && await Node.ShowAsync("demo", b) is not null; i++)
            await Task.Delay(100);
        using var management = TestBroker.ManagementClient();
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync($"api/users/{TroveBroker.GuestUser(b)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{a}")).StatusCode);
    }
}
