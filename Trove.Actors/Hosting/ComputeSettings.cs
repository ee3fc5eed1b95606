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
    public NovaComputeSettings Nova { get; init; } = new();
}
