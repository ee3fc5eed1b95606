using Trove.Amqp;
using Trove.Tests.Support;

namespace Trove.Tests.Amqp;

/// <summary>
/// The broker restarted (stopped and started: every connection drops, durable queues and persistent messages survive)
/// while a publisher and a consumer are mid-stream. Both carry on by themselves, and every message the broker confirmed
/// is handled. On a RabbitMQ of the test's own (<see cref="PrivateRabbitMq"/>), so that it runs in parallel with the
/// tests on the shared broker; the frequent faults close connections through the management API instead
/// (<see cref="AmqpFailureTests"/>).
/// </summary>
public sealed class BrokerRestartTests : IAsyncLifetime
{
    private PrivateRabbitMq _broker = null!;
    private AmqpTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _broker = await PrivateRabbitMq.StartAsync();
        _bed = new AmqpTestBed(_broker.Uri, _broker.ManagementClient());
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_broker_restart_mid_stream_loses_nothing_confirmed_and_both_streams_carry_on()
    {
        var node = await _bed.ConnectAsync("consumer");
        await node.DeclareAsync(_bed.Source().Declarations);
        var consumer = _bed.Consume(node, _ => Task.Delay(2));
        await using var publisher = new AmqpPublisher(await _bed.ConnectAsync("publisher"), TimeSpan.FromSeconds(5));
        var confirmed = new List<int>();
        var failed = 0;
        var restarted = new TaskCompletionSource();

        // Publishes until 200 more were confirmed after the broker came back.
        var publishing = Task.Run(async () =>
        {
            var confirmedAfter = 0;
            for (var n = 1; confirmedAfter < 200; n++)
            {
                try
                {
                    await publisher.PublishAsync(_bed.Message(n));
                    lock (confirmed)
                        confirmed.Add(n);
                    if (restarted.Task.IsCompleted)
                        confirmedAfter++;
                }
                catch (Exception e) when (e is not AmqpPublishRefusedException)
                {
                    Interlocked.Increment(ref failed);
                    n--; // unknown whether it arrived: sent again
                    await Task.Delay(200);
                }
                await Task.Delay(5);
            }
        });

        await consumer.WaitForAsync(c => c.Handled.Count >= 50, TimeSpan.FromSeconds(60), "50 handled before the restart");
        await _broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await _broker.StartAgainAsync();
        restarted.SetResult();

        await publishing.WaitAsync(TimeSpan.FromSeconds(120));
        await consumer.WaitForAsync(c => c.Handled.Distinct().Count() >= confirmed.Count, TimeSpan.FromSeconds(120), "every confirmed message handled");
        Assert.True(failed >= 1, "a publish met the stopped broker");
        Assert.True(consumer.RestartCount >= 1, "the consumer restarted");
        Assert.Equal(confirmed.Order(), consumer.Handled.Distinct().Order());
        consumer.Kill.Shutdown();
    }
}
