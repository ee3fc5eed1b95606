using Trove.Actors.Compute;
using Trove.Actors.Compute.OpenStack;

namespace Trove.Actors.Hosting;

/// <summary>Which compute driver makes the servers (configuration <c>Trove:Compute</c>): <c>local</c> (the default,
/// <see cref="LocalCompute"/>) or <c>nova</c> (<see cref="NovaCompute"/>, with the account of <c>Trove:OpenStack</c>).</summary>
public sealed record ComputeSettings
{
    public const string LocalDriver = "local", NovaDriver = "nova";

    public string Driver { get; init; } = LocalDriver;

    /// <summary><c>local</c>: new PostgreSQL servers come with a copy of pristine data, so their guests skip initdb
    /// (<see cref="PristineData"/>); false, each guest runs initdb itself, as on a cloud's server.</summary>
    public bool PristineData { get; init; } = true;

    /// <summary><c>local</c>: where that pristine data is kept, when not beside the servers directory
    /// (<c>servers.pristine</c>); the nodes of one machine may share it. On the servers' filesystem: a copy made ahead
    /// is renamed into a server's directory.</summary>
    public string? PristineDirectory { get; init; }
    public NovaComputeSettings Nova { get; init; } = new();
}
