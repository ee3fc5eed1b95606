using System.Diagnostics;
using Trove.Amqp;

namespace Trove.Tests.Amqp;

/// <summary>Restarts RabbitMQ itself, which every test of the run uses: this collection runs alone, after the others.</summary>
[CollectionDefinition("broker-restart", DisableParallelization = true)]
public sealed class BrokerRestartCollection;

/// <summary>
/// The broker restarted (its application stopped and started: every connection drops, durable queues and persistent
/// messages survive) while a publisher and a consumer are mid-stream. Both carry on by themselves, and every message the
/// broker confirmed is handled. The one test that restarts the broker; the frequent faults close connections through
/// the management API instead (<see cref="AmqpFailureTests"/>).
/// </summary>
[Collection("broker-restart")]
public sealed class BrokerRestartTests : IAsyncLifetime
{
    private readonly AmqpTestBed _bed = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await WaitForBrokerAsync(); // whatever happened, the next tests find the broker up
        await _bed.DisposeAsync();
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
        await RabbitMqCtlAsync("stop_app");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await RabbitMqCtlAsync("start_app");
        await WaitForBrokerAsync();
        restarted.SetResult();

        await publishing.WaitAsync(TimeSpan.FromSeconds(120));
        await consumer.WaitForAsync(c => c.Handled.Distinct().Count() >= confirmed.Count, TimeSpan.FromSeconds(120), "every confirmed message handled");
        Assert.True(failed >= 1, "a publish met the stopped broker");
        Assert.True(consumer.RestartCount >= 1, "the consumer restarted");
        Assert.Equal(confirmed.Order(), consumer.Handled.Distinct().Order());
        consumer.Kill.Shutdown();
    }

    private static async Task RabbitMqCtlAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {string.Join(' ', args)}: {await process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Until the broker takes connections and its management API answers again.</summary>
    private async Task WaitForBrokerAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await RabbitMqCtlAsync("-q", "await_startup");
                if ((await _bed.Management.GetAsync("api/overview")).IsSuccessStatusCode)
                    return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail("the broker did not come back within 90 s");
            await Task.Delay(500);
        }
    }
}
