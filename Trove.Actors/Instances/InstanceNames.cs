using Trove.Contracts.Datastores;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Actors.Instances;

/// <summary>The database and user names a command carries, checked against the instance's datastore profile before
/// anything is kept or reaches its guest. The entity knows its datastore, so the API parses and asks once.</summary>
public static class InstanceNames
{
    /// <summary>Null when the datastore takes every name of <paramref name="command"/>; else the 400 that says which it
    /// does not. Commands without names pass.</summary>
    public static InstanceReplies.Invalid? Check(string datastore, object command)
    {
        if (DatastoreProfiles.Find(datastore) is not { } profile)
            return new InstanceReplies.Invalid($"Datastore '{datastore}' has no rules for names.");
        IEnumerable<string?> refusals = command switch
        {
            Create c => c.Request.Databases.Select(d => profile.RefusesDatabase(d.Name))
                .Concat(c.Request.Users.Select(u => profile.RefusesUser(u.Name))),
            CreateDatabases c => c.Databases.Select(d => profile.RefusesDatabase(d.Name)),
            DeleteDatabase d => [profile.RefusesDatabase(d.Name)],
            CreateUsers c => c.Users.Select(u => profile.RefusesUser(u.Name)),
            UpdateUsers u => u.Updates.Select(update => profile.RefusesExistingUser(update.Username)
                                                        ?? (update.UserAttrs.Name is { } renamed ? profile.RefusesUser(renamed) : null)),
            DeleteUser d => [profile.RefusesExistingUser(d.Name)],
            GrantAccess g => g.Databases.Select(profile.RefusesDatabase).Prepend(profile.RefusesExistingUser(g.User)),
            RevokeAccess r => [profile.RefusesExistingUser(r.User)],
            _ => [],
        };
        return refusals.FirstOrDefault(r => r is not null) is { } refusal ? new InstanceReplies.Invalid(refusal) : null;
    }
}
