using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Sql;
using Trove.Tests.Support;

namespace Trove.Tests.Hosting;

/// <summary>A recovery on the node's SQLite journal reads an entity's latest snapshot and its events with a query each
/// (<see cref="SqliteSnapshotStore"/>, <see cref="SqliteReplayJournal"/>): what it reads is what Akka.Persistence.Sql's
/// own reads give, on a journal and snapshots that the plugin wrote.</summary>
public sealed class SqliteRecoveryTests : IDisposable
{
    private const string PersistenceId = "writer-1";
    private const string PluginJournal = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql";
    private const string PluginSnapshotStore = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql";
    private readonly string _dataDir = TroveNode.NewDataDir();

    [Fact]
    public async Task The_node_recovers_its_entities_through_one_query_for_the_snapshot_and_one_for_the_events() =>
        await WithSystemAsync(plugins: false, system =>
        {
            Assert.Equal(typeof(SqliteReplayJournal), Type.GetType(system.Settings.Config.GetString("akka.persistence.journal.sql.class")));
            Assert.Equal(typeof(SqliteSnapshotStore), Type.GetType(system.Settings.Config.GetString("akka.persistence.snapshot-store.sql.class")));
            return Task.CompletedTask;
        });

    [Fact]
    public async Task The_plugins_own_reads_are_there_to_compare_with() =>
        await WithSystemAsync(plugins: true, system =>
        {
            Assert.Equal(PluginJournal, system.Settings.Config.GetString("akka.persistence.journal.sql.class"));
            Assert.Equal(PluginSnapshotStore, system.Settings.Config.GetString("akka.persistence.snapshot-store.sql.class"));
            return Task.CompletedTask;
        });

    [Fact]
    public async Task A_recovery_reads_the_latest_snapshot_and_the_events_after_it_as_the_plugin_reads_them()
    {
        await WithSystemAsync(plugins: true, system => system.ActorOf(Props.Create(() => new Writer())).Ask<Done>(7, TimeSpan.FromSeconds(20)));

        var theirs = await WithSystemAsync(plugins: true, ReadAsync);
        var ours = await WithSystemAsync(plugins: false, ReadAsync);

        Assert.Equal(theirs, ours);
        Assert.Equal(5, ours.Snapshot.SequenceNr);
        Assert.Equal("e1 e2 e3 e4 e5", ours.State);
        Assert.Equal([6, 7], ours.Tail.Events.Select(e => e.SequenceNr));
        Assert.Equal(["e6", "e7"], ours.Tail.Events.Select(e => e.Payload));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"e{i}"), ours.All.Events.Select(e => e.Payload));
        Assert.Equal([3, 4], ours.Window.Events.Select(e => e.SequenceNr));
        Assert.Equal([7, 7, 7], new[] { ours.Tail.Highest, ours.All.Highest, ours.Window.Highest });
        Assert.Equal(new Replay([], 0), ours.Past); // nothing after 7: the plugin answers 0 too
        Assert.All(ours.All.Events, e => Assert.True(e is { PersistenceId: PersistenceId, IsDeleted: false, Timestamp: > 0, WriterGuid: not null }, e.ToString()));
    }

    [Fact]
    public async Task An_entity_woken_again_has_its_state_and_numbers_its_next_event_after_the_last()
    {
        await WithSystemAsync(plugins: false, system => system.ActorOf(Props.Create(() => new Writer())).Ask<Done>(7, TimeSpan.FromSeconds(20)));

        var recovered = await WithSystemAsync(plugins: false, system => system.ActorOf(Props.Create(() => new Writer())).Ask<string>(1, TimeSpan.FromSeconds(20)));

        Assert.Equal("e1 e2 e3 e4 e5 e6 e7 e8 at 8", recovered);
    }

    /// <summary>A recovery that comes while the journal still writes the entity's last event replays up to it (the
    /// plugin's journal waits for its write in flight before it reads the highest sequence number).</summary>
    [Fact]
    public async Task A_replay_asked_while_an_event_is_being_written_ends_with_that_event()
    {
        await WithSystemAsync(plugins: false, system => system.ActorOf(Props.Create(() => new Writer())).Ask<Done>(7, TimeSpan.FromSeconds(20)));

        var replay = await WithSystemAsync(plugins: false, async system =>
        {
            var journal = Persistence.Instance.Apply(system).JournalFor(null);
            var writer = Inbox.Create(system);
            journal.Tell(new WriteMessages([new AtomicWrite(new Persistent("e8", 8, PersistenceId, "", false, ActorRefs.NoSender, "writer"))],
                writer.Receiver, actorInstanceId: 1));
            return await ReplayAsync(journal, Inbox.Create(system), 0, long.MaxValue, long.MaxValue);
        });

        Assert.Equal(8, replay.Highest);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"e{i}"), replay.Events.Select(e => e.Payload));
    }

    private record Event(string PersistenceId, long SequenceNr, string Payload, string Manifest, bool IsDeleted, string? WriterGuid, long Timestamp);

    /// <summary>A replay's events and the highest sequence number it ended with.</summary>
    private sealed record Replay(List<Event> Events, long Highest)
    {
        public bool Equals(Replay? other) => other is not null && Events.SequenceEqual(other.Events) && Highest == other.Highest;

        public override int GetHashCode() => Highest.GetHashCode();
    }

    private sealed record Read(SnapshotMetadata Snapshot, string State, Replay Tail, Replay All, Replay Window, Replay Past)
    {
        public bool Equals(Read? other) => other is not null && Snapshot.Equals(other.Snapshot) && Snapshot.Timestamp == other.Snapshot.Timestamp
            && State == other.State && Tail == other.Tail && All == other.All && Window == other.Window && Past == other.Past;

        public override int GetHashCode() => Snapshot.GetHashCode();
    }

    /// <summary>What a recovery asks the snapshot store and the journal for, and two narrower replays.</summary>
    private static async Task<Read> ReadAsync(ActorSystem system)
    {
        var persistence = Persistence.Instance.Apply(system);
        var inbox = Inbox.Create(system);
        persistence.SnapshotStoreFor(null).Tell(new LoadSnapshot(PersistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), inbox.Receiver);
        var snapshot = ((LoadSnapshotResult)await inbox.ReceiveAsync(TimeSpan.FromSeconds(10))).Snapshot!;
        var journal = persistence.JournalFor(null);
        return new Read(snapshot.Metadata, (string)snapshot.Snapshot, await ReplayAsync(journal, inbox, snapshot.Metadata.SequenceNr + 1, long.MaxValue, long.MaxValue),
            await ReplayAsync(journal, inbox, 0, long.MaxValue, long.MaxValue), await ReplayAsync(journal, inbox, 3, 6, 2),
            await ReplayAsync(journal, inbox, 8, long.MaxValue, long.MaxValue));
    }

    private static async Task<Replay> ReplayAsync(IActorRef journal, Inbox inbox, long from, long to, long max)
    {
        journal.Tell(new ReplayMessages(from, to, max, PersistenceId, inbox.Receiver));
        var events = new List<Event>();
        while (true)
            switch (await inbox.ReceiveAsync(TimeSpan.FromSeconds(10)))
            {
                case ReplayedMessage { Persistent: var p }:
                    events.Add(new Event(p.PersistenceId, p.SequenceNr, (string)p.Payload, p.Manifest, p.IsDeleted, p.WriterGuid, p.Timestamp));
                    break;
                case RecoverySuccess success:
                    return new Replay(events, success.HighestSequenceNr);
                case ReplayMessagesFailure failure:
                    throw failure.Cause;
            }
    }

    /// <summary>An actor system on the node's journal in the data dir; <paramref name="plugins"/>: with Akka.Persistence.Sql's
    /// own journal and snapshot store classes.</summary>
    private async Task<T> WithSystemAsync<T>(bool plugins, Func<ActorSystem, Task<T>> use)
    {
        var settings = new TroveSettings { DataDir = _dataDir };
        await settings.UseWriteAheadLogAsync();
        using var host = new HostBuilder().ConfigureServices(services => services.AddAkka("sqlite-recovery", (builder, _) =>
        {
            builder.WithTroveJournal(settings);
            if (plugins)
                builder.AddHocon($"""
                    akka.persistence.journal.sql.class = "{PluginJournal}"
                    akka.persistence.snapshot-store.sql.class = "{PluginSnapshotStore}"
                    """, HoconAddMode.Prepend);
        })).Build();
        await host.StartAsync();
        try
        {
            return await use(host.Services.GetRequiredService<ActorSystem>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private Task WithSystemAsync(bool plugins, Func<ActorSystem, Task> use) => WithSystemAsync(plugins, async system =>
    {
        await use(system);
        return true;
    });

    /// <summary>Persists events e1, e2, …; its state is the snapshot (taken after the fifth) and the events after it.
    /// An int n: n more events, answered with Done once the first seven are written, else with its state.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        private string _state = "";
        private IActorRef? _requester;
        private int _left;

        public override string PersistenceId => SqliteRecoveryTests.PersistenceId;

        public Writer()
        {
            Recover<SnapshotOffer>(offer => _state = (string)offer.Snapshot);
            Recover<string>(Applied);
            Command<int>(n =>
            {
                (_requester, _left) = (Sender, n);
                PersistNext();
            });
            Command<SaveSnapshotSuccess>(_ => PersistNext());
        }

        private void PersistNext() => Persist($"e{LastSequenceNr + 1}", e =>
        {
            Applied(e);
            _left--;
            if (LastSequenceNr == 5)
                SaveSnapshot(_state);
            else if (_left > 0)
                PersistNext();
            else
                _requester!.Tell(LastSequenceNr == 7 ? Done.Instance : $"{_state} at {LastSequenceNr}");
        });

        private void Applied(string e) => _state = _state == "" ? e : $"{_state} {e}";
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
