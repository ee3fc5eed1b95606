using Trove.Contracts.Datastores;

namespace Trove.Contracts.Guests;

/// <summary>
/// A datastore's own accounts and the guest's: no tenant request creates, changes, re-hosts, grants, revokes or deletes
/// them (root goes through the root endpoints only). The API refuses them with a 400 and the guest refuses them again,
/// so that a message that reaches the guest some other way cannot turn, say, MariaDB's socket-only root into a remote
/// one. Compared ignoring case: refusing 'Root' too costs a tenant nothing.
/// </summary>
public sealed record ReservedUsers(IReadOnlySet<string> Names, IReadOnlyList<string> Prefixes)
{
    public bool Contains(string name) =>
        Names.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The message both the API and the guest give.</summary>
    public static string Message(string name) => $"User name '{name}' is reserved.";

    /// <summary>The guest's check: an <see cref="ArgumentException"/>, which reaches the API as a 400.</summary>
    public void Check(string name)
    {
        if (Contains(name))
            throw new ArgumentException(Message(name));
    }
}
