using Trove.Guest.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Tests.Guest;

/// <summary>Every call of a datastore manager that creates or changes a user, aimed at each of the datastore's reserved
/// users: the guest refuses them all, whatever the API let through.</summary>
public static class ReservedUserCalls
{
    public const string Password = "Reserved-user-pw-7";

    /// <summary>Each user-changing method of <see cref="IDatastoreManager"/>, called on a user (and host).</summary>
    private static readonly (string Method, Func<IDatastoreManager, string, string?, Task> Call)[] Calls =
    [
        (nameof(IDatastoreManager.PrepareAsync), (m, name, host) => m.PrepareAsync(new PrepareArgs([], [new UserSpec(name, Password, host, [])]), default)),
        (nameof(IDatastoreManager.CreateUsersAsync), (m, name, host) => m.CreateUsersAsync([new UserSpec(name, Password, host, [])], default)),
        (nameof(IDatastoreManager.UpdateUserAsync), (m, name, host) => m.UpdateUserAsync(name, host, new UserChanges(null, Password, "%"), default)),
        (nameof(IDatastoreManager.UpdateUserAsync), (m, name, _) => m.UpdateUserAsync("app", null, new UserChanges(name, null, null), default)),
        (nameof(IDatastoreManager.DeleteUserAsync), (m, name, host) => m.DeleteUserAsync(name, host, default)),
        (nameof(IDatastoreManager.GrantAccessAsync), (m, name, host) => m.GrantAccessAsync(name, host, ["appdb"], default)),
        (nameof(IDatastoreManager.RevokeAccessAsync), (m, name, host) => m.RevokeAccessAsync(name, host, "appdb", default)),
    ];

    /// <summary>The reserved names, and one name under each reserved prefix.</summary>
    public static IEnumerable<string> Names(ReservedUsers reserved) =>
        reserved.Names.Concat(reserved.Prefixes.Select(p => p + "execute_server_program"));

    public static async Task AssertAllRefusedAsync(IDatastoreManager manager, ReservedUsers reserved, string? host)
    {
        var userMethods = typeof(IDatastoreManager).GetMethods()
            .Where(m => !m.IsSpecialName && (m.Name is "PrepareAsync" || (m.Name.Contains("User") || m.Name.Contains("Access")) && !m.Name.StartsWith("List")))
            .Where(m => m.Name != nameof(IDatastoreManager.UpdateAccessAsync)) // the networks clients come from: it names no user
            .Select(m => m.Name);
        Assert.Empty(userMethods.Except(Calls.Select(c => c.Method))); // a new user method belongs in Calls

        foreach (var name in Names(reserved))
            foreach (var (method, call) in Calls)
            {
                var refused = await Record.ExceptionAsync(() => call(manager, name, host));
                Assert.True(refused is ArgumentException && refused.Message.Contains("reserved"),
                    $"{method} on '{name}': {refused?.GetType().Name ?? "done"} {refused?.Message}");
            }
    }
}
