using Trove.Actors.Guests;

namespace Trove.Guest.Datastores;

/// <summary>One datastore engine running in the guest's server directory.</summary>
public interface IDatastoreManager
{
    /// <summary>Initialises the engine if it has never been, starts it, creates the databases and users.
    /// Safe to repeat: an initialised engine is only started, existing databases and users are kept.</summary>
    Task PrepareAsync(PrepareArgs args, CancellationToken ct);

    /// <summary>Starts an initialised engine; a running one is left alone.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>Stops the engine cleanly; a stopped one is left alone.</summary>
    Task StopAsync(CancellationToken ct);

    /// <summary>The engine's real status as a <see cref="ServiceStatusNames"/> description.</summary>
    Task<string> GetStatusAsync(CancellationToken ct);
}
