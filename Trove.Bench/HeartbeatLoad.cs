using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Trove.Actors.Guests;
using Trove.Actors.Messaging;

namespace Trove.Bench;

/// <summary>The conductor benchmark's load and its limit: heartbeats published while a node or a bare consumer drains them.</summary>
public static class HeartbeatLoad
{
    /// <summary>
    /// Publishes <paramref name="messages"/> heartbeats as fast as the broker confirms them while a consumer drains the
    /// queue: the node's conductor (already consuming) or, with <paramref name="raw"/>, a bare consumer with the same
    /// prefetch that only acknowledges. Reports messages / (first publish to empty queue).
    /// </summary>
    public static async Task<int> LoadAndDrainAsync(string uri, string queue, int instances, int messages, bool raw)
    {
        var settings = new AmqpSettings { Uri = uri };
        await using var connector = await AmqpConnector.ConnectAsync(settings, "trove-bench-load");
        await connector.DeclareQueueAsync(queue);
        await using var publisher = await AmqpPublisher.CreateAsync(connector);
        await using var channel = await connector.OpenChannelAsync(confirms: false);
        var acked = 0;
        var drained = new TaskCompletionSource();
        if (raw)
        {
            await channel.BasicQosAsync(0, settings.Prefetch, false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
                if (Interlocked.Increment(ref acked) == messages)
                    drained.TrySetResult();
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        }
        var watch = Stopwatch.StartNew();
        const int window = 1000;
        for (var start = 0; start < messages; start += window)
            await Task.WhenAll(Enumerable.Range(start, Math.Min(window, messages - start)).Select(i => publisher.PublishAsync(queue,
                RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(SeededIds.Of(i % instances), new HeartbeatPayload("healthy"), HeartbeatArgs.Now())))));
        var published = watch.Elapsed;
        if (raw)
            await drained.Task;
        else
            while ((await connector.InspectQueueAsync(queue))?.Messages > 0)
                await Task.Delay(5);
        Console.WriteLine($"published in {published.TotalSeconds:0.000} s; drained {messages} messages in {watch.Elapsed.TotalSeconds:0.000} s: {messages / watch.Elapsed.TotalSeconds:0} msg/s");
        return 0;
    }

    public static async Task<int> DropQueueAsync(string uri, string queue)
    {
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpSettings { Uri = uri }, "trove-bench-drop");
        await connector.DeleteQueueAsync(queue);
        return 0;
    }
}
