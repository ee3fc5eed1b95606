using System.Diagnostics;
using System.Text.Json;
using LinqToDB;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Bench;

/// <summary>
/// Writes ACTIVE instances into a node's journal with the events, persistence ids, serializer and tags that the
/// instance entity itself uses, without guests: what a node with that many instances would recover from.
/// </summary>
public static class JournalSeeder
{
    public static async Task<int> RunAsync(string dataDir, int count, string tenant)
    {
        var settings = new TroveSettings { DataDir = dataDir };
        Directory.CreateDirectory(settings.FullDataDir);
        await settings.UseWriteAheadLogAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("trove-seeder", b => b.WithTroveJournal(settings));
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        var watch = Stopwatch.StartNew();
        var at = DateTimeOffset.UtcNow;
        // The first instance through a persistent actor, as the entity writes it (this also creates the tables);
        // the others as the very same rows in one transaction: the journal's own write path costs ~8 ms of CPU per
        // instance here, which would make seeding 100,000 instances take a quarter of an hour.
        await system.ActorOf(Props.Create(() => new SeedInstance($"instance-{SeededIds.Of(0)}", Events(SeededIds.Of(0), tenant, 0, at))))
            .Ask<Done>(SeedInstance.Write.Instance, TimeSpan.FromMinutes(1));
        await WriteJournalRowsAsync(system, settings, Enumerable.Range(1, count - 1).Select(i => (SeededIds.Of(i), Events(SeededIds.Of(i), tenant, i, at))));
        await host.StopAsync();
        // A node makes this index at its first start after the journal has a tags table: a node that has 100,000
        // instances has it. Left out, every start measured on this data would build it again (0.3-0.5 s at 100,000).
        await JournalTagIndex.EnsureAsync(settings.DatabaseProvider, settings.JournalConnection);
        await WriteReadModelAsync(settings, count, tenant, at);
        Console.WriteLine($"seeded {count} instances in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    private static async Task WriteJournalRowsAsync(ActorSystem system, TroveSettings settings, IEnumerable<(string Id, IInstanceEvent[] Events)> instances)
    {
        await using var connection = new SqliteConnection(settings.JournalConnection);
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var journal = connection.CreateCommand();
        journal.CommandText = """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            VALUES ($created, 0, $pid, $seq, $message, $manifest, $identifier, $writer) RETURNING ordering
            """;
        var tags = connection.CreateCommand();
        tags.CommandText = "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($ordering, $tag, $seq, $pid)";
        var writer = Guid.NewGuid().ToString("N");
        foreach (var (id, events) in instances)
        {
            for (var seq = 1; seq <= events.Length; seq++)
            {
                var e = events[seq - 1];
                var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerFor(e);
                journal.Parameters.Clear();
                journal.Parameters.AddWithValue("$created", DateTime.UtcNow.Ticks);
                journal.Parameters.AddWithValue("$pid", $"instance-{id}");
                journal.Parameters.AddWithValue("$seq", seq);
                journal.Parameters.AddWithValue("$message", serializer.ToBinary(e));
                journal.Parameters.AddWithValue("$manifest", serializer.Manifest(e));
                journal.Parameters.AddWithValue("$identifier", serializer.Identifier);
                journal.Parameters.AddWithValue("$writer", writer);
                var ordering = (long)(await journal.ExecuteScalarAsync())!;
                tags.Parameters.Clear();
                tags.Parameters.AddWithValue("$ordering", ordering);
                tags.Parameters.AddWithValue("$tag", InstanceRegistration.TypeName);
                tags.Parameters.AddWithValue("$seq", seq);
                tags.Parameters.AddWithValue("$pid", $"instance-{id}");
                await tags.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
    }

    /// <summary>The rows the instance projection would write for them, and its offset past them, so that the node
    /// starts with its read model caught up (on SQLite the projection catches up at only ~600 events/s).</summary>
    private static async Task WriteReadModelAsync(TroveSettings settings, int count, string tenant, DateTimeOffset at)
    {
        long lastOrdering;
        await using (var journal = new SqliteConnection(settings.JournalConnection))
        {
            await journal.OpenAsync();
            await using var max = journal.CreateCommand();
            max.CommandText = "SELECT max(ordering) FROM journal";
            lastOrdering = (long)(await max.ExecuteScalarAsync())!;
        }
        var readModel = new ReadModelDb(new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection));
        await readModel.EnsureCreatedAsync();
        await using var db = readModel.Open();
        var rows = Enumerable.Range(0, count).Select(i =>
        {
            var state = Events(SeededIds.Of(i), tenant, i, at).Aggregate((InstanceState?)null, InstanceState.Apply)!;
            return new EntityRow
            {
                Kind = InstanceRegistration.TypeName, Id = state.Id, TenantId = state.TenantId, CreatedTicks = state.Created.UtcTicks,
                Deleted = false, State = JsonSerializer.Serialize(state),
            };
        });
        await db.BulkCopyAsync(rows);
        await db.InsertOrReplaceAsync(new ProjectionOffsetRow { Name = $"{InstanceRegistration.TypeName}_view", Offset = lastOrdering });
    }

    private static IInstanceEvent[] Events(string id, string tenant, int i, DateTimeOffset at) =>
    [
        new Created(id, tenant, $"seeded-{i}", "small", 512, 1, "postgresql", "15", [], [], at.AddTicks(i)),
        new ServerCreated(id, "127.0.0.1", 1, at),
        new ServiceStatusChanged("healthy", at, at),
        new BuildCompleted(at),
    ];

    private sealed class SeedInstance : ReceivePersistentActor
    {
        public sealed class Write
        {
            public static readonly Write Instance = new();
        }

        public override string PersistenceId { get; }

        public SeedInstance(string persistenceId, IInstanceEvent[] events)
        {
            PersistenceId = persistenceId;
            Command<Write>(_ =>
            {
                var requester = Sender;
                var left = events.Length;
                PersistAll(events, _ =>
                {
                    if (--left > 0)
                        return;
                    requester.Tell(Done.Instance);
                    Context.Stop(Self);
                });
            });
        }
    }
}
