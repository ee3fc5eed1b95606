namespace Trove.Actors.Instances;

/// <summary>Upstream's instance access: <paramref name="IsPublic"/> (a public address, reachable from outside the
/// tenant's network) and the networks allowed to reach the engine (none: every network, as upstream's default rule).
/// The engine's host rules enforce <paramref name="AllowedCidrs"/>; a local server has no public network, so
/// <paramref name="IsPublic"/> is kept and shown, and changes nothing there.</summary>
public sealed record InstanceAccess(bool IsPublic, IReadOnlyList<string> AllowedCidrs);
