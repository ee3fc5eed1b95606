using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Messaging;

/// <summary>The AMQP connector against the real broker that scripts/bootstrap starts.</summary>
public sealed class AmqpConnectorTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("amqp-tests", "akka.loglevel = WARNING");
    private readonly string _queue = $"test.{Guid.NewGuid():N}";
    private AmqpConnector _connector = null!;
    private AmqpPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _connector = await AmqpConnector.ConnectAsync(new AmqpSettings { Exchange = "trove-tests" }, "tests", timeout.Token);
        _publisher = await AmqpPublisher.CreateAsync(_connector);
        await _connector.DeclareQueueAsync(_queue);
    }

    public async Task DisposeAsync()
    {
        await _connector.DeleteQueueAsync(_queue);
        await _publisher.DisposeAsync();
        await _connector.DisposeAsync();
        await _system.Terminate();
    }

    private static RpcMessage Message(int n) => new("test", new JsonObject { ["n"] = n });

    private async Task<uint> WaitingAsync() => (await _connector.InspectQueueAsync(_queue))!.Value.Messages;

    [Fact]
    public async Task The_sink_publishes_with_confirms_so_every_message_is_in_the_queue_when_it_completes()
    {
        await Source.From(Enumerable.Range(1, 50)).Select(n => (_queue, Message(n)))
            .RunWith(_publisher.AsSink(), _system.Materializer());
        Assert.Equal(50u, await WaitingAsync());
    }

    [Fact]
    public async Task A_message_not_acknowledged_is_delivered_again_and_an_acknowledged_one_is_gone()
    {
        await _publisher.PublishAsync(_queue, Message(1));

        var first = await AmqpSource.Create(_connector, _queue).RunWith(Sink.First<AmqpIncoming>(), _system.Materializer());
        Assert.False(first.Redelivered);   // the stream ended without acknowledging it

        // Acknowledged inside the stream, after it was handled, as the conductor and the guests do.
        var second = await AmqpSource.Create(_connector, _queue)
            .SelectAsync(1, async m => { await m.AckAsync(); return m; })
            .RunWith(Sink.First<AmqpIncoming>(), _system.Materializer());
        Assert.True(second.Redelivered);
        Assert.Equal(1, RpcMessage.Parse(second.Body).Args["n"]!.GetValue<int>());

        await Task.Delay(200);
        Assert.Equal(0u, await WaitingAsync());
    }

    [Fact]
    public async Task A_call_gets_its_reply_a_failure_or_a_timeout()
    {
        await using var rpc = await AmqpRpcClient.CreateAsync(_connector, _publisher);
        // A responder that doubles n, or fails for n < 0.
        var responder = AmqpSource.Create(_connector, _queue)
            .SelectAsync(1, async m =>
            {
                var n = RpcMessage.Parse(m.Body).Args["n"]!.GetValue<int>();
                var reply = n < 0 ? new RpcReply(null, "negative") : new RpcReply(JsonValue.Create(n * 2), null);
                await _publisher.ReplyAsync(m.ReplyTo!, m.CorrelationId!, reply);
                await m.AckAsync();
                return n;
            })
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .To(Sink.Ignore<int>())
            .Run(_system.Materializer());

        var result = await rpc.CallAsync(_queue, _connector.Settings.UserName, Message(21), TimeSpan.FromSeconds(10));
        Assert.Equal(42, result!.GetValue<int>());
        var failure = await Assert.ThrowsAsync<RpcException>(() => rpc.CallAsync(_queue, _connector.Settings.UserName, Message(-1), TimeSpan.FromSeconds(10)));
        Assert.Contains("negative", failure.Message);

        responder.Shutdown();
        var nobody = $"test.{Guid.NewGuid():N}";
        await _connector.DeclareQueueAsync(nobody);
        await Assert.ThrowsAsync<TimeoutException>(() => rpc.CallAsync(nobody, _connector.Settings.UserName, Message(1), TimeSpan.FromMilliseconds(300)));
        await _connector.DeleteQueueAsync(nobody);
    }
}
