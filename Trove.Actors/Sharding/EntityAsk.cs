using Akka.Actor;

namespace Trove.Actors.Sharding;

/// <summary>Asks an entity through its region (or proxy) within one timeout, asking again while a node answers that the
/// message never reached it (<see cref="Undelivered"/>): a shard moving or a node leaving costs a retry, not the request.</summary>
public static class EntityAsk
{
    /// <summary>How long a message that did not reach its entity waits before it is sent again.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    public static async Task<T> AskEntityAsync<T>(this IActorRef region, object message, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new AskTimeoutException($"{message.GetType().Name} did not reach its entity within {timeout}: every try was dropped on the way");
            switch (await region.Ask<object>(message, left))
            {
                case T reply:
                    return reply;
                case Undelivered:
                    await Task.Delay(Pause);
                    break;
                case var other:
                    throw new InvalidCastException($"{message.GetType().Name} was answered with {other.GetType().Name}, not {typeof(T).Name}");
            }
        }
    }

    /// <summary>As <see cref="AskEntityAsync{T}(IActorRef, object, TimeSpan)"/>, within a deadline that many asks share
    /// (a token cancelled when it passes): one timer for them all instead of one each. <see cref="Undelivered"/> is
    /// never the answer, even with <typeparamref name="T"/> <c>object</c>.</summary>
    public static async Task<T> AskEntityAsync<T>(this IActorRef region, object message, CancellationToken deadline)
    {
        try
        {
            while (true)
            {
                switch (await region.Ask<object>(message, Timeout.InfiniteTimeSpan, deadline))
                {
                    case Undelivered:
                        await Task.Delay(Pause, deadline);
                        break;
                    case T reply:
                        return reply;
                    case var other:
                        throw new InvalidCastException($"{message.GetType().Name} was answered with {other.GetType().Name}, not {typeof(T).Name}");
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new AskTimeoutException($"{message.GetType().Name} was not answered by its entity within its deadline");
        }
    }
}
