namespace Trove.Actors.Compute;

/// <summary>What a compute driver made on the way to a server, reported as soon as the cloud has it, so that the
/// instance journals it: a resumed build asks for exactly those (<see cref="ServerSpec.KnownServerId"/>), and a deleted
/// instance removes them even when the build never finished.</summary>
public abstract record ServerStep
{
    /// <summary>The cloud accepted the server (it may still be building, or go to ERROR).</summary>
    public sealed record ServerAccepted(string ServerId) : ServerStep;

    /// <summary>The server's data volume exists.</summary>
    public sealed record VolumeMade(string VolumeId) : ServerStep;
}
