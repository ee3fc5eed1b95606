using Trove.Actors.Compute;
using Trove.Actors.Compute.OpenStack;

namespace Trove.Actors.Hosting;

/// <summary>Which compute driver makes the servers (configuration <c>Trove:Compute</c>): <c>local</c> (the default,
/// <see cref="LocalCompute"/>) or <c>nova</c> (<see cref="NovaCompute"/>, with the account of <c>Trove:OpenStack</c>).</summary>
public sealed record ComputeSettings
{
    public const string LocalDriver = "local", NovaDriver = "nova";

    public string Driver { get; init; } = LocalDriver;
    public NovaComputeSettings Nova { get; init; } = new();
}
