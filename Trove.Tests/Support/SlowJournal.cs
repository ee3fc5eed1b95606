using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Trove.Tests.Support;

/// <summary>An in-memory journal whose every write takes <see cref="Delay"/>, as a loaded disk's would, and which keeps
/// each write's events by persistence id: what an entity writes together, and what it waits for one write each.</summary>
public sealed class SlowJournal : MemoryJournal
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);

    /// <summary>The events of each write, by persistence id.</summary>
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<IReadOnlyList<object>>> Writes = new();

    public static readonly Config Config = EntitySpecConfig.WithJournal<SlowJournal>("slow");

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        await Task.Delay(Delay, cancellationToken);
        foreach (var byId in writes.GroupBy(w => w.PersistenceId))
            Writes.GetOrAdd(byId.Key, _ => new()).Enqueue(byId.SelectMany(w => (IEnumerable<IPersistentRepresentation>)w.Payload).Select(p => p.Payload).ToList());
        return await base.WriteMessagesAsync(writes, cancellationToken);
    }
}
