namespace Trove.Actors.Guests;

/// <summary>
/// The instances whose guests an older release started (d88d1e5 and before), as this node last saw them: those guests
/// publish with the node's broker login and no user of their own, and answer calls through the default exchange. Until
/// they are adopted, their reports and replies are taken without the guest's own user (they hold the node's credentials
/// anyway); kept up to date by the <c>OlderReleaseAdopter</c>'s sweeps.
/// </summary>
public sealed class OlderReleaseGuests
{
    private volatile IReadOnlySet<string> _instances = new HashSet<string>();

    public bool Contains(string instanceId) => _instances.Contains(instanceId);

    public void Replace(IEnumerable<string> instanceIds) => _instances = instanceIds.ToHashSet();
}
