namespace Trove.Actors.Reconciling;

public sealed record ReconcileSettings
{
    /// <summary>How often servers, guests and broker users are compared with the journal; zero turns it off.</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a server or broker user must stay without an instance before it is removed.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a live instance's guest must stay stopped before it is started again.</summary>
    public TimeSpan RestartGrace { get; init; } = TimeSpan.FromSeconds(5);
}
