using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Web.Validation;

/// <summary>What a datastore's profile accepts as database and user names, and passwords, checked before anything
/// reaches a guest.</summary>
public sealed record NameRules(DatastoreProfile Profile)
{
    public static NameRules For(string datastore) => DatastoreProfiles.Find(datastore) is { } profile
        ? new NameRules(profile)
        : throw new RequestError(400, $"Datastore '{datastore}' has no rules for names.");

    public ReservedUsers ReservedUsers => Profile.ReservedUsers;

    private DatastoreNames Names => Profile.Names;

    public void CheckDatabase(string name)
    {
        CheckName("database", name, Names.MaxDatabaseLength, Names.IsValidDatabase(name));
        if (Names.IsReservedDatabase(name))
            throw new RequestError(400, $"Database name '{name}' is reserved.");
    }

    public void CheckUser(string name)
    {
        CheckUnreserved(name);
        CheckName("user", name, Names.MaxUserLength, Names.IsValidUser(name));
    }

    /// <summary>An existing user a request acts on (update, delete, grant, revoke) must not be one of the datastore's own.</summary>
    public void CheckUnreserved(string name)
    {
        if (ReservedUsers.Contains(name))
            throw new RequestError(400, ReservedUsers.Message(name));
    }

    public static void CheckPassword(string user, string? password)
    {
        if (string.IsNullOrEmpty(password))
            throw RequestError.Invalid($"user '{user}' needs a non-empty password.");
        if (password.Length > 128 || password.Contains('\0'))
            throw RequestError.Invalid($"the password of user '{user}' must be at most 128 characters, without NUL.");
    }

    private void CheckName(string kind, string name, int maxLength, bool valid)
    {
        if (!valid)
            throw new RequestError(400,
                $"'{name}' is not a valid {kind} name: use 1 to {maxLength} {Names.Allowed}, starting with a letter or '_'.");
    }
}
