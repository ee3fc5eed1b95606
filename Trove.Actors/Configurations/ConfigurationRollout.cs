using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Event;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Serialization;

namespace Trove.Actors.Configurations;

/// <summary>
/// Brings a configuration group's new values to every instance attached to it. Told by the API when a group changes,
/// and sweeping every group periodically, so that a change stored before a crash still reaches each attached instance
/// (the group's row is the durable record; each instance persists the revision it applied). A cluster singleton.
/// </summary>
public sealed class ConfigurationRollout : ReceiveActor, IWithTimers
{
    /// <summary>Roll one group out now; answered with <see cref="RolledOut"/> once its attached instances have it. Asked
    /// by a request in an <see cref="Asked"/> envelope: each instance's attach names its caller.</summary>
    public sealed record Roll(string TenantId, string ConfigurationId) : ITroveMessage;
    public sealed record RolledOut(int Instances, int Failed) : ITroveMessage;
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;

    public ConfigurationRollout(ConfigurationRepository repository, ReadModelDb readModel, IActorRef instances, TimeSpan every, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        var system = Context.System;
        ReceiveAsync<Roll>(roll => RollAsync(roll, null));
        ReceiveAsync<Asked>(asked => asked.Message is Roll roll ? RollAsync(roll, asked.User) : Task.CompletedTask);
        ReceiveAsync<Sweep>(async _ =>
        {
            try
            {
                foreach (var tenantGroups in (await repository.AllAsync()).GroupBy(g => g.TenantId))
                {
                    var instances = await readModel.AllAsync<InstanceState>(InstanceRegistration.TypeName, tenantGroups.Key);
                    foreach (var group in tenantGroups)
                        if (ConfigurationApply.AttachedTo(instances, group.Id).Where(i => ConfigurationApply.Behind(i, group)).ToList() is { Count: > 0 } behind)
                        {
                            log.Info("configuration {0}: {1} attached instance(s) lack revision {2}; applying it", group.Id, behind.Count, group.UpdatedTicks);
                            await RollOutAsync(group, behind);
                        }
                }
            }
            catch (Exception e)
            {
                log.Warning("configuration roll-out: this sweep stopped ({0}); trying again in {1}", e.GetBaseException().Message, every);
            }
            Timers.StartSingleTimer(nameof(Sweep), new Sweep(), every);
        });

        async Task RollAsync(Roll roll, string? user)
        {
            var group = await repository.GetAsync(roll.TenantId, roll.ConfigurationId);
            Sender.Tell(group is null ? new RolledOut(0, 0)
                : await RollOutAsync(group, await ConfigurationApply.AttachedAsync(readModel, group.TenantId, group.Id), user));
        }

        async Task<RolledOut> RollOutAsync(ConfigurationRow group, IReadOnlyList<InstanceState> attached, string? user = null)
        {
            var failed = 0;
            foreach (var instance in attached)
            {
                try
                {
                    var attach = await ConfigurationApply.AttachAsync(repository, instance, group);
                    if (await instances.AskEntityAsync<InstanceReply>(ClusterReleases.Envelope(system, attach, user, null), askTimeout)
                        is not InstanceReplies.Accepted)
                        failed++;
                }
                catch (AskTimeoutException)
                {
                    failed++; // the next sweep tries again
                }
            }
            return new RolledOut(attached.Count, failed);
        }
    }

    protected override void PreStart() => Timers.StartSingleTimer(nameof(Sweep), new Sweep(), TimeSpan.FromSeconds(5));

    public static Props Props(ConfigurationRepository repository, ReadModelDb readModel, IActorRef instances, TimeSpan every, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ConfigurationRollout(repository, readModel, instances, every, askTimeout));
}
