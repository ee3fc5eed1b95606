using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB;
using LinqToDB.Async;
using Trove.Actors.Instances;

namespace Trove.Actors.ReadModel;

/// <summary>
/// Follows the journal's instance events by tag and upserts each instance's row with the same
/// <see cref="InstanceState.Apply"/> the entity uses; the offset is stored in the same transaction.
/// </summary>
public sealed class InstanceProjection : ReceiveActor
{
    public const string Tag = "instance";
    private const string Name = "instance_view";

    public InstanceProjection(ReadModelDb db)
    {
        var log = Context.GetLogger();
        var materializer = Context.Materializer();
        var kill = RestartSource.OnFailuresWithBackoff(
                () => Source.FromTask(StartAsync()).ConcatMany(offset =>
                    PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
                        .EventsByTag(Tag, Offset.Sequence(offset))
                        .GroupedWithin(500, TimeSpan.FromMilliseconds(20))
                        .SelectAsync(1, batch => WriteAsync(batch.ToList()))),
                RestartSettings.Create(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2))
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .To(Sink.Ignore<Done>())
            .Run(materializer);
        ReceiveAny(_ => { });

        async Task<long> StartAsync()
        {
            await db.EnsureCreatedAsync();
            await using var connection = db.Open();
            var stored = await connection.GetTable<ProjectionOffsetRow>().FirstOrDefaultAsync(r => r.Name == Name);
            log.Info("instance projection resumes after offset {0}", stored?.Offset ?? 0);
            return stored?.Offset ?? 0;
        }

        async Task<Done> WriteAsync(IReadOnlyList<EventEnvelope> batch)
        {
            await using var connection = db.Open();
            await using var tx = await connection.BeginTransactionAsync();
            var rows = connection.GetTable<InstanceRow>();
            var states = new Dictionary<string, InstanceState?>();
            foreach (var envelope in batch)
            {
                if (envelope.Event is not InstanceEvents.IInstanceEvent e)
                    continue;
                var id = envelope.PersistenceId["instance-".Length..];
                if (!states.TryGetValue(id, out var state))
                {
                    var row = await rows.FirstOrDefaultAsync(r => r.Id == id);
                    state = row is null ? null : JsonSerializer.Deserialize<InstanceState>(row.State, ReadModelDb.Json);
                }
                states[id] = state is null && e is not InstanceEvents.Created ? null : InstanceState.Apply(state, e);
            }
            foreach (var (id, state) in states)
            {
                if (state is null)
                    continue;
                await connection.InsertOrReplaceAsync(new InstanceRow
                {
                    Id = id,
                    TenantId = state.TenantId,
                    CreatedTicks = state.Created.UtcTicks,
                    Deleted = state.IsDeleted,
                    State = JsonSerializer.Serialize(state, ReadModelDb.Json),
                });
            }
            await connection.InsertOrReplaceAsync(new ProjectionOffsetRow { Name = Name, Offset = ((Sequence)batch[^1].Offset).Value });
            await tx.CommitAsync();
            return Done.Instance;
        }

        _kill = kill;
    }

    private readonly UniqueKillSwitch _kill;

    protected override void PostStop() => _kill.Shutdown();

    public static Props Props(ReadModelDb db) => Akka.Actor.Props.Create(() => new InstanceProjection(db));
}
