using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Trove.Tests.Support;

/// <summary>An in-memory journal that rejects the next write of the persistence ids in <see cref="RejectNext"/>, as a
/// journal rejects an event it cannot serialize: the write is refused and nothing of it is kept, and the actor is told
/// (a rejection, unlike a failure, does not stop it).</summary>
public sealed class RejectingJournal : MemoryJournal
{
    public static readonly ConcurrentDictionary<string, bool> RejectNext = new();

    public static readonly Config Config = EntitySpecConfig.WithJournal<RejectingJournal>("rejecting");

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var rejected = writes.Select(w => RejectNext.TryRemove(w.PersistenceId, out _)).ToList();
        var kept = await base.WriteMessagesAsync(writes.Where((_, i) => !rejected[i]).ToList(), cancellationToken);
        var results = ImmutableList.CreateBuilder<Exception>();
        var next = 0;
        for (var i = 0; i < writes.Count; i++)
            results.Add(rejected[i] ? new InvalidOperationException($"a write of {writes[i].PersistenceId} rejected by the test") : kept?.ElementAtOrDefault(next++)!);
        return results.ToImmutable();
    }
}
