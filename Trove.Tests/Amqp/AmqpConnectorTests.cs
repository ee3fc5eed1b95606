using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Amqp;

namespace Trove.Tests.Amqp;

/// <summary>The connector's stages on the real broker that scripts/bootstrap starts.</summary>
public sealed class AmqpConnectorTests : IAsyncLifetime
{
    private readonly AmqpTestBed _bed = new();
    private AmqpConnector _connector = null!;
    private AmqpPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        _connector = await _bed.ConnectAsync("node");
        _publisher = new AmqpPublisher(_connector);
        await _connector.DeclareAsync(_bed.Source().Declarations);
    }

    public async Task DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task The_sink_publishes_with_confirms_so_every_message_is_in_the_queue_when_it_completes()
    {
        await Source.From(Enumerable.Range(1, 50)).Select(_bed.Message)
            .RunWith(AmqpSink.Create(_publisher), _bed.System.Materializer());
        Assert.Equal(50u, await _bed.WaitingAsync(_connector));
    }

    [Fact]
    public async Task A_message_not_acknowledged_is_delivered_again_and_an_acknowledged_one_is_gone()
    {
        await _publisher.PublishAsync(_bed.Message(1));

        var first = await AmqpSource.CommittableSource(_connector, _bed.Source())
            .RunWith(Sink.First<CommittableIncomingMessage>(), _bed.System.Materializer());
        Assert.False(first.Message.Redelivered);   // the stream ended without acknowledging it

        // Acknowledged inside the stream, after it was handled.
        var second = await AmqpSource.CommittableSource(_connector, _bed.Source())
            .SelectAsync(1, async m => { Assert.True(await m.AckAsync()); return m; })
            .RunWith(Sink.First<CommittableIncomingMessage>(), _bed.System.Materializer());
        Assert.True(second.Message.Redelivered);
        Assert.Equal(1, AmqpTestBed.NumberOf(second.Message));

        await Task.Delay(200);
        Assert.Equal(0u, await _bed.WaitingAsync(_connector));
    }

    [Fact]
    public async Task The_messages_buffered_while_the_stream_is_busy_come_as_one_run_in_their_order_and_one_ack_settles_them()
    {
        // One after the other, each confirmed before the next, so that the queue holds them in this order (the sink
        // publishes several at once, in whatever order the broker takes them).
        for (var n = 1; n <= 30; n++)
            await _publisher.PublishAsync(_bed.Message(n));

        // The first run is held a while: the rest is delivered meanwhile, and comes in runs of at most 10. The last
        // message's ack settles every one before it.
        var runs = new List<IReadOnlyList<CommittableIncomingMessage>>();
        var acked = await AmqpSource.CommittableRuns(_connector, _bed.Source(prefetch: 100), maxRun: 10)
            .SelectAsync(1, async run => { if (runs.Count == 0) await Task.Delay(500); runs.Add(run); return run; })
            .Where(_ => runs.Sum(run => run.Count) == 30)
            .SelectAsync(1, run => run[^1].AckThroughAsync())
            .RunWith(Sink.First<bool>(), _bed.System.Materializer());

        Assert.Equal(Enumerable.Range(1, 30), runs.SelectMany(run => run.Select(m => AmqpTestBed.NumberOf(m.Message))));
        Assert.All(runs, run => Assert.InRange(run.Count, 1, 10));
        Assert.InRange(runs.Count, 3, 6);
        Assert.True(acked);
        await Task.Delay(200);
        Assert.Equal(0u, await _bed.WaitingAsync(_connector));
    }

    [Fact]
    public async Task A_nacked_message_goes_back_to_the_queue_with_requeue_and_is_gone_without()
    {
        await _publisher.PublishAsync(_bed.Message(1));
        var taken = await AmqpSource.CommittableSource(_connector, _bed.Source())
            .SelectAsync(1, async m => { Assert.True(await m.NackAsync(requeue: true)); return m; })
            .RunWith(Sink.First<CommittableIncomingMessage>(), _bed.System.Materializer());
        var again = await AmqpSource.CommittableSource(_connector, _bed.Source())
            .SelectAsync(1, async m => { Assert.True(await m.NackAsync(requeue: false)); return m; })
            .RunWith(Sink.First<CommittableIncomingMessage>(), _bed.System.Materializer());
        Assert.Equal((false, true), (taken.Message.Redelivered, again.Message.Redelivered));
        await Task.Delay(200);
        Assert.Equal(0u, await _bed.WaitingAsync(_connector));
    }

    [Fact]
    public async Task A_call_gets_its_reply_only_from_the_expected_user_or_times_out()
    {
        var replies = new AmqpRpcSettings($"{_bed.Queue}.reply", $"{_bed.Queue}.replies");
        await using var rpc = await AmqpRpcClient.CreateAsync(_connector, _publisher, replies);
        // A responder that doubles n, replying through the reply exchange to the caller's queue.
        var responder = AmqpSource.CommittableSource(_connector, _bed.Source())
            .SelectAsync(1, async m =>
            {
                var n = AmqpTestBed.NumberOf(m.Message);
                await _publisher.PublishAsync(AmqpRpcClient.Reply(replies.ReplyExchange, m.Message, Encoding.UTF8.GetBytes((n * 2).ToString())));
                await m.AckAsync();
                return n;
            })
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<int>(), Keep.Both)
            .Run(_bed.System.Materializer());

        var reply = await rpc.CallAsync(_bed.Message(21), TimeSpan.FromSeconds(10), replyFrom: _connector.Settings.UserName);
        Assert.Equal(42, AmqpTestBed.NumberOf(reply));
        Assert.NotNull(reply.Properties.CorrelationId);
        await Assert.ThrowsAsync<TimeoutException>(() => rpc.CallAsync(_bed.Message(1), TimeSpan.FromSeconds(2), replyFrom: "someone-else"));
        Assert.Equal(1, rpc.RefusedReplies);

        // No responder: once its stream ended and the broker cancelled its consumer, a call is never answered.
        responder.Item1.Shutdown();
        await responder.Item2;
        for (var i = 0; i < 100 && (await _connector.InspectQueueAsync(_bed.Queue))!.Value.Consumers > 0; i++)
            await Task.Delay(50);
        await Assert.ThrowsAsync<TimeoutException>(() => rpc.CallAsync(_bed.Message(1), TimeSpan.FromMilliseconds(300)));
        await using var channel = await _connector.OpenChannelAsync(confirms: false);
        await channel.ExchangeDeleteAsync(replies.ReplyExchange);
    }

    [Fact]
    public async Task Declarations_are_made_by_the_stage_that_needs_them()
    {
        var queue = $"{_bed.Queue}.declared";
        var settings = new AmqpSinkSettings { Declarations = [new QueueDeclaration(queue) { Durable = false, AutoDelete = false }] };
        await Source.Single(OutgoingMessage.Json("", queue, "{}"u8.ToArray())).RunWith(AmqpSink.Create(_publisher, settings), _bed.System.Materializer());
        Assert.Equal(1u, (await _connector.InspectQueueAsync(queue))!.Value.Messages);
        await _connector.DeleteQueueAsync(queue);
    }
}
