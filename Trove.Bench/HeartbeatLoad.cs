using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Trove.Actors.Guests;
using Trove.Actors.Messaging;

namespace Trove.Bench;

/// <summary>The conductor benchmark's load and its limit: heartbeats queued ahead, then drained by a node or a bare consumer.</summary>
public static class HeartbeatLoad
{
    public static async Task<int> PublishAsync(string uri, string queue, int instances, int messages)
    {
        var settings = new AmqpSettings { Uri = uri };
        await using var connector = await AmqpConnector.ConnectAsync(settings, "trove-bench-load");
        await connector.DeclareQueueAsync(queue);
        await using var publisher = await AmqpPublisher.CreateAsync(connector);
        var watch = Stopwatch.StartNew();
        const int window = 1000;
        for (var start = 0; start < messages; start += window)
        {
            var batch = Enumerable.Range(start, Math.Min(window, messages - start)).Select(i => publisher.PublishAsync(queue,
                RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(SeededIds.Of(i % instances), new HeartbeatPayload("healthy"), HeartbeatArgs.Now()))));
            await Task.WhenAll(batch);
        }
        Console.WriteLine($"published {messages} heartbeats for {instances} instances in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>Waits for a consumer on <paramref name="queue"/>, then times it until the queue is empty.</summary>
    public static async Task<int> WatchDrainAsync(string uri, string queue)
    {
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpSettings { Uri = uri }, "trove-bench-watch");
        var initial = (await connector.InspectQueueAsync(queue))?.Messages ?? 0;
        while ((await connector.InspectQueueAsync(queue))?.Consumers is null or 0)
            await Task.Delay(10);
        var watch = Stopwatch.StartNew();
        while ((await connector.InspectQueueAsync(queue))?.Messages > 0)
            await Task.Delay(10);
        Report(initial, watch.Elapsed);
        return 0;
    }

    /// <summary>The limit: a consumer with the node's prefetch that acknowledges each message and does nothing else.</summary>
    public static async Task<int> RawDrainAsync(string uri, string queue)
    {
        var settings = new AmqpSettings { Uri = uri };
        await using var connector = await AmqpConnector.ConnectAsync(settings, "trove-bench-raw");
        var total = (await connector.InspectQueueAsync(queue))?.Messages ?? 0;
        await using var channel = await connector.OpenChannelAsync(confirms: false);
        await channel.BasicQosAsync(0, settings.Prefetch, false);
        var done = new TaskCompletionSource();
        var acked = 0;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, false);
            if (++acked == total)
                done.TrySetResult();
        };
        var watch = Stopwatch.StartNew();
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        await done.Task;
        Report(total, watch.Elapsed);
        return 0;
    }

    public static async Task<int> DropQueueAsync(string uri, string queue)
    {
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpSettings { Uri = uri }, "trove-bench-drop");
        await connector.DeleteQueueAsync(queue);
        return 0;
    }

    private static void Report(uint messages, TimeSpan elapsed) =>
        Console.WriteLine($"drained {messages} messages in {elapsed.TotalSeconds:0.000} s: {messages / elapsed.TotalSeconds:0} msg/s");
}
