using System.Diagnostics;

namespace Trove.Amqp;

/// <summary>How long a consumer waits before it subscribes again: doubling from <paramref name="Min"/> up to
/// <paramref name="Max"/>, each wait up to <paramref name="RandomFactor"/> longer at random; back to <paramref name="Min"/>
/// after a subscription that lasted at least that long.</summary>
public sealed record RestartBackoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    /// <summary>Every consumer's, the streams' too (<see cref="AmqpSource.DefaultRestart"/>).</summary>
    public static readonly RestartBackoff Default = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), 0.2);
}

/// <summary>
/// A queue's messages handled one at a time, in delivery order, by a plain loop: what
/// <c>AmqpSource.Restarting(() =&gt; AmqpSource.CommittableSource(...).SelectAsync(1, handle))</c> does, for a process
/// without an actor system. The guest agent is one: it is published Native AOT, where Akka.NET does not start (its
/// settings load the actor ref provider, dispatchers and mailboxes by type name, which the trimmed program no longer has).
/// </summary>
public static class AmqpConsumer
{
    /// <summary>
    /// Handles each message of the queue until <paramref name="ct"/> is cancelled; the message in hand then is handled to
    /// its end first. After a broker error (the channel or connection closed, the consumer cancelled) or a failure of
    /// <paramref name="handle"/>, it subscribes again on a new channel, with backoff, and the messages handed out and not
    /// acked are redelivered to the new subscription.
    /// </summary>
    /// <param name="onRestart">told each failure that starts a new subscription</param>
    public static async Task RunAsync(AmqpConnector connector, NamedQueueSourceSettings settings, Func<CommittableIncomingMessage, Task> handle,
        Action<Exception>? onRestart = null, RestartBackoff? backoff = null, CancellationToken ct = default)
    {
        backoff ??= RestartBackoff.Default;
        var delay = backoff.Min;
        while (!ct.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var subscription = await QueueSubscription.StartAsync(connector, settings, ct: ct);
                while (await subscription.NextAsync(ct) is { } message)
                    await handle(message);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                onRestart?.Invoke(e);
            }
            if (Stopwatch.GetElapsedTime(started) >= backoff.Min)
                delay = backoff.Min;
            try
            {
                await Task.Delay(delay * (1 + Random.Shared.NextDouble() * backoff.RandomFactor), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, backoff.Max.Ticks));
        }
    }
}
