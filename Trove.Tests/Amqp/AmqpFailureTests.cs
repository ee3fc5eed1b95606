using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Amqp;

namespace Trove.Tests.Amqp;

/// <summary>
/// The connector owns failure: a connection closed under a stream, a channel that dies at ack time, a publish whose
/// confirm is lost or nacked. Each time the stream carries on, and every message the broker confirmed is handled
/// (some twice: the consumers are idempotent, the broker redelivers what was not acknowledged).
/// </summary>
public sealed class AmqpFailureTests : IAsyncLifetime
{
    private readonly AmqpTestBed _bed = new();
    private AmqpConnector _node = null!;

    public async Task InitializeAsync()
    {
        _node = await _bed.ConnectAsync("node");
        await _node.DeclareAsync(_bed.Source().Declarations);
    }

    public Task DisposeAsync() => _bed.DisposeAsync().AsTask();

    private async Task PublishAsync(AmqpConnector connector, IEnumerable<int> numbers)
    {
        await using var publisher = new AmqpPublisher(connector);
        foreach (var n in numbers)
            await publisher.PublishAsync(_bed.Message(n));
    }

    [Fact]
    public async Task A_connection_closed_under_a_consuming_stream_restarts_it_and_every_message_is_handled()
    {
        await PublishAsync(_node, Enumerable.Range(1, 200));
        var consumerConnection = await _bed.ConnectAsync("consumer");
        var closed = new TaskCompletionSource();
        // Past the 30th, the handler waits until the connection is closed: messages are in hand when it goes.
        var consumer = _bed.Consume(consumerConnection, m => AmqpTestBed.NumberOf(m.Message) > 30 ? closed.Task : Task.CompletedTask);

        await consumer.WaitForAsync(c => c.Handled.Count >= 30, TimeSpan.FromSeconds(30), "30 handled");
        await _bed.CloseConnectionsAsync("consumer");
        closed.SetResult();
        await consumer.WaitForAsync(c => c.Handled.Distinct().Count() == 200, TimeSpan.FromSeconds(60), "all 200 handled");

        Assert.True(consumer.RestartCount >= 1, "the stream was restarted");
        Assert.Equal(Enumerable.Range(1, 200), consumer.Handled.Distinct().Order());
        await WaitUntilEmptyAsync();
        Assert.False(consumer.Completion.IsCompleted);
        consumer.Kill.Shutdown();
        await consumer.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The guest's intake (<see cref="AmqpConsumer"/>, a loop without Akka): the same failure, the same outcome.</summary>
    [Fact]
    public async Task A_connection_closed_under_a_plain_consumer_subscribes_it_again_and_every_message_is_handled()
    {
        await PublishAsync(_node, Enumerable.Range(1, 200));
        var consumerConnection = await _bed.ConnectAsync("consumer");
        var closed = new TaskCompletionSource();
        var handled = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var restarts = 0;
        using var stop = new CancellationTokenSource();
        var consuming = AmqpConsumer.RunAsync(consumerConnection, _bed.Source(prefetch: 1), async m =>
            {
                var n = AmqpTestBed.NumberOf(m.Message);
                if (n > 30)
                    await closed.Task; // past the 30th, a message is in hand when the connection goes
                handled.Enqueue(n);
                await m.AckAsync();
            },
            _ => Interlocked.Increment(ref restarts), new RestartBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 0.1), stop.Token);

        await WaitForAsync(() => handled.Count >= 30, "30 handled");
        await _bed.CloseConnectionsAsync("consumer");
        closed.SetResult();
        await WaitForAsync(() => handled.Distinct().Count() == 200, "all 200 handled");

        Assert.True(restarts >= 1, "the consumer subscribed again");
        Assert.Equal(Enumerable.Range(1, 200), handled.Distinct().Order());
        await WaitUntilEmptyAsync();
        Assert.False(consuming.IsCompleted);
        await stop.CancelAsync();
        await consuming.WaitAsync(TimeSpan.FromSeconds(10));

        async Task WaitForAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"{what}: not within 60 s (handled {handled.Distinct().Count()}, {restarts} restarts)");
                Assert.False(consuming.IsCompleted, $"the consumer ended: {consuming.Exception?.GetBaseException().Message}");
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task An_ack_on_a_channel_that_died_returns_false_and_the_message_comes_again()
    {
        await PublishAsync(_node, Enumerable.Range(1, 20));
        var connection = await _bed.ConnectAsync("consumer");
        var consumer = _bed.Consume(connection, async m =>
        {
            var n = AmqpTestBed.NumberOf(m.Message);
            if (n == 5 && !m.Message.Redelivered)
            {
                // Acked here and again by the consumer: acking one delivery twice is a channel error, and the broker
                // closes the channel under the stream.
                Assert.True(await m.AckAsync());
            }
            else if (n == 6 && !m.Message.Redelivered)
            {
                await Task.Delay(500); // the broker has closed the channel by now
            }
        });

        // The ack of 6, on the dead channel, says so and throws nothing; the restarted stream has 6 again.
        await consumer.WaitForAsync(c => c.Handled.Distinct().Count() == 20 && c.Acks.Contains(false), TimeSpan.FromSeconds(60),
            "all 20 handled and an ack refused");
        Assert.True(consumer.RestartCount >= 1);
        Assert.True(consumer.Handled.Count(n => n == 6) >= 2, "6, not acknowledged, came again");
        await WaitUntilEmptyAsync();
    }

    [Fact]
    public async Task A_publish_nacked_by_the_broker_is_reported_by_the_flow_which_carries_on_and_fails_the_sink()
    {
        // A queue that refuses publishes past 5 messages: RabbitMQ nacks them.
        var full = $"{_bed.Queue}.full";
        var declarations = new AmqpSinkSettings
        {
            Declarations = [new QueueDeclaration(full) { Durable = false, Arguments = new Dictionary<string, object?> { ["x-max-length"] = 5, ["x-overflow"] = "reject-publish" } }],
            Parallelism = 1,
        };
        await using var publisher = new AmqpPublisher(_node);
        var results = await Source.From(Enumerable.Range(1, 10))
            .Select(n => (OutgoingMessage.Json("", full, BitConverter.GetBytes(n)), n))
            .Via(AmqpFlow.WithConfirm<int>(publisher, declarations))
            .RunWith(Sink.Seq<WriteResult<int>>(), _bed.System.Materializer());

        Assert.Equal(Enumerable.Range(1, 10), results.Select(r => r.PassThrough));
        Assert.Equal(Enumerable.Range(1, 5), results.Where(r => r.Confirmed).Select(r => r.PassThrough));
        Assert.Equal(5u, (await _node.InspectQueueAsync(full))!.Value.Messages);

        await Assert.ThrowsAsync<AmqpPublishRefusedException>(() => Source.Single(OutgoingMessage.Json("", full, new byte[1]))
            .RunWith(AmqpSink.Create(publisher), _bed.System.Materializer()));
        // The publisher goes on: the refused message was the broker's answer, not a broken channel.
        await publisher.PublishAsync(_bed.Message(1));
        await _node.DeleteQueueAsync(full);
    }

    [Fact]
    public async Task Publishes_whose_confirms_are_lost_with_the_connection_fail_and_the_next_ones_go_out_on_a_new_one()
    {
        var publisherConnection = await _bed.ConnectAsync("publisher");
        await using var publisher = new AmqpPublisher(publisherConnection);
        var consumer = _bed.Consume(_node);
        var confirmed = new List<int>();
        var failed = 0;
        var closing = Task.CompletedTask;

        // Publishes in rounds of 20 at once while the connection is closed under the publisher, until some publishes
        // lost their confirms with it; each of those is sent again, since whether it arrived is unknown.
        var next = 1;
        var pending = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (failed == 0 || pending.Count > 0 || confirmed.Count < 300)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{confirmed.Count} confirmed, {failed} failed");
            while (pending.Count < 20)
                pending.Add(next++);
            var round = pending.ToList();
            var outcomes = await Task.WhenAll(round.Select(async n =>
            {
                try { await publisher.PublishAsync(_bed.Message(n)); return (n, true); }
                catch (Exception e) when (e is not AmqpPublishRefusedException) { return (n, false); }
            }));
            foreach (var (n, ok) in outcomes)
                if (ok) { confirmed.Add(n); pending.Remove(n); }
                else failed++;
            if (confirmed.Count >= 100 && closing.IsCompleted && failed == 0)
                closing = _bed.CloseConnectionsAsync("publisher");
        }
        await closing;

        await consumer.WaitForAsync(c => c.Handled.Distinct().Count() >= confirmed.Count, TimeSpan.FromSeconds(60), "every confirmed message handled");
        Assert.Equal(confirmed.Order(), consumer.Handled.Distinct().Order());
        consumer.Kill.Shutdown();
    }

    [Fact]
    public async Task The_reply_consumer_of_the_rpc_client_comes_back_after_its_connection_is_closed()
    {
        var rpcConnection = await _bed.ConnectAsync("rpc");
        var replies = new AmqpRpcSettings($"{_bed.Queue}.reply", $"{_bed.Queue}.replies");
        await using var publisher = new AmqpPublisher(rpcConnection);
        await using var rpc = await AmqpRpcClient.CreateAsync(rpcConnection, publisher, replies);
        await using var responderPublisher = new AmqpPublisher(_node);
        var responder = AmqpSource.Restarting(() => AmqpSource.CommittableSource(_node, _bed.Source())
                .SelectAsync(1, async m =>
                {
                    await responderPublisher.PublishAsync(AmqpRpcClient.Reply(replies.ReplyExchange, m.Message, m.Message.Body));
                    await m.AckAsync();
                    return Done.Instance;
                }))
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .To(Sink.Ignore<Done>())
            .Run(_bed.System.Materializer());

        Assert.Equal(1, AmqpTestBed.NumberOf(await rpc.CallAsync(_bed.Message(1), TimeSpan.FromSeconds(10))));
        await _bed.CloseConnectionsAsync("rpc");
        // The first calls may meet the reply queue while it is declared again; one answers within the backoff.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Assert.Equal(2, AmqpTestBed.NumberOf(await rpc.CallAsync(_bed.Message(2), TimeSpan.FromSeconds(2))));
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }
        }
        responder.Shutdown();
        await using var channel = await _node.OpenChannelAsync(confirms: false);
        await channel.ExchangeDeleteAsync(replies.ReplyExchange);
    }

    private async Task WaitUntilEmptyAsync()
    {
        for (var i = 0; i < 100 && await _bed.WaitingAsync(_node) > 0; i++)
            await Task.Delay(100);
        Assert.Equal(0u, await _bed.WaitingAsync(_node));
    }
}
