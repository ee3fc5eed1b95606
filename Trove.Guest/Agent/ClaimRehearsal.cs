using Trove.Contracts.Guests;
using Trove.Guest.Datastores;

namespace Trove.Guest.Agent;

/// <summary>
/// A pool's server rehearses its claim before it counts as ready: the prepare's own steps (its message read, a database
/// and a user made and granted, the access rules written, a report written out) on a database and user of its own,
/// dropped after. A claim is the first run of that code in its guest's process: compiling it (~340 methods) cost each
/// claim ~0.15 s of CPU, which a burst of claims pays all at once on the cores its engines need, and the engine's client
/// library took ~0.5 s to load on its first session. Rehearsed, a claim finds both ready. Nothing of the rehearsal is
/// left for the tenant, nor of one a killed guest left half done.
/// </summary>
public static class ClaimRehearsal
{
    public const string Name = "trove_rehearsal";

    public static async Task RunAsync(IDatastoreManager manager, string instanceId, CancellationToken ct)
    {
        await ForgetAsync(manager, ct);
        try
        {
            var rehearsal = new PrepareArgs([new DatabaseSpec(Name)], [new UserSpec(Name, Passwords.Generate(), null, [new UserDatabase(Name)])],
                Flavor: new FlavorArgs(512, 1));
            var args = RpcMessage.Parse(RpcMessage.Create(GuestMethods.Prepare, rehearsal).ToBytes()).ArgsAs<PrepareArgs>();
            await manager.PrepareAsync(args, ct);
            await manager.UpdateAccessAsync(args.Access?.Networks() ?? [], ct);
            var status = await manager.GetStatusAsync(ct);
            RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(instanceId, new HeartbeatPayload(status, null, 0, null), HeartbeatArgs.Now())).ToBytes();
        }
        finally
        {
            await ForgetAsync(manager, ct);
        }
    }

    /// <summary>Drops what a rehearsal made; a claim whose server's warm-up failed runs it too, after its own prepare.</summary>
    public static async Task ForgetAsync(IDatastoreManager manager, CancellationToken ct)
    {
        await manager.DeleteDatabaseAsync(Name, ct);
        await manager.DeleteUserAsync(Name, null, ct);
    }
}
