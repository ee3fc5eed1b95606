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
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.JournalConnection);
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.ReadModelConnection);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("trove-seeder", b => b.WithTroveJournal(settings));
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        var watch = Stopwatch.StartNew();
        var at = DateTimeOffset.UtcNow;
        const int window = 256;
        var inFlight = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var id = SeededIds.Of(i);
            var actor = system.ActorOf(Props.Create(() => new SeedInstance($"instance-{id}", Events(id, tenant, i, at))));
            inFlight.Add(actor.Ask<Done>(SeedInstance.Write.Instance, TimeSpan.FromMinutes(2)));
            if (inFlight.Count >= window)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }
        await Task.WhenAll(inFlight);
        await host.StopAsync();
        await WriteReadModelAsync(settings, count, tenant, at);
        Console.WriteLine($"seeded {count} instances in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
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
