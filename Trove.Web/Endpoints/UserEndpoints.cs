using Akka.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;
using Trove.Contracts.Guests;
using static Trove.Web.Endpoints.InstanceAsk;

namespace Trove.Web.Endpoints;

/// <summary><c>/instances/{id}/users</c>: users and their access, carried out by the guest. A user in a path is
/// <c>name</c> or <c>name@host</c>, as upstream. Each route parses and asks the instance once: the entity refuses the
/// names its datastore does not take (the datastore's own users among them).</summary>
public static class UserEndpoints
{
    private sealed record UserId(string Name, string? Host);

    private static UserId ParseUserId(string id)
    {
        var at = id.IndexOf('@');
        return at < 0 ? new UserId(id, null) : new UserId(id[..at], id[(at + 1)..] is { Length: > 0 } host ? host : null);
    }

    private static object View(UserInfo u) => new
    {
        name = u.Name,
        host = u.Host ?? "%",
        databases = u.Databases.Select(d => new { name = d.Name }),
    };

    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder tenant)
    {
        var users = tenant.MapGroup("/instances/{id}/users");

        users.MapPost("", (string tenantId, string id, Body<UsersBody> body, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            instances.AcceptedAsync(new InstanceCommands.CreateUsers(id, tenantId, UserBody.Specs(body.Value.Users, knownDatabases: null)), settings));

        users.MapGet("", async (string tenantId, string id, HttpRequest request, int? limit, string? marker,
                IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            {
                var all = await ListAsync(instances, tenantId, id, settings);
                var page = Paging.Page(all, u => $"{u.Name}@{u.Host ?? "%"}", limit, marker);
                return Paging.Result(request, "users", page.Items.Select(View), page);
            });

        // Password changes for several users at once (upstream's update_all).
        users.MapPut("", async (string tenantId, string id, Body<UsersBody> body, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        {
            var updates = new List<UpdateAttributesArgs>();
            foreach (var user in body.Value.Users!)
            {
                var name = user!.Name ?? throw RequestError.Invalid("'name' is required.");
                Passwords.Check(name, user.Password);
                updates.Add(new UpdateAttributesArgs(name, user.Host, new UserChanges(null, user.Password, null)));
            }
            return await instances.AcceptedAsync(new InstanceCommands.UpdateUsers(id, tenantId, updates), settings);
        });

        users.MapGet("/{user}", async (string tenantId, string id, string user, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            await FindAsync(instances, tenantId, id, user, settings) is { } found
                ? Results.Json(new { user = View(found) })
                : TroveError.NotFound($"User {user} cannot be found on instance {id}."));

        users.MapPut("/{user}", async (string tenantId, string id, string user, Body<UserChangeBody> body,
            IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        {
            var change = body.Value.User!;
            var target = ParseUserId(user);
            if (change.Password is not null)
                Passwords.Check(change.Name ?? user, change.Password);
            return await instances.AcceptedAsync(new InstanceCommands.UpdateUsers(id, tenantId,
                [new UpdateAttributesArgs(target.Name, target.Host, new UserChanges(change.Name, change.Password, change.Host))]), settings);
        });

        // The entity deletes a user its guest lists, and answers 404 for one it does not.
        users.MapDelete("/{user}", (string tenantId, string id, string user, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            {
                var target = ParseUserId(user);
                return instances.AcceptedAsync(new InstanceCommands.DeleteUser(id, tenantId, target.Name, target.Host), settings);
            });

        users.MapGet("/{user}/databases", async (string tenantId, string id, string user, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            await FindAsync(instances, tenantId, id, user, settings) is { } found
                ? Results.Json(new { databases = found.Databases.Select(d => new { name = d.Name }) })
                : TroveError.NotFound($"User {user} cannot be found on instance {id}."));

        users.MapPut("/{user}/databases", (string tenantId, string id, string user, Body<DatabasesBody> body,
            IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        {
            var target = ParseUserId(user);
            var names = DatabaseBody.Specs(body.Value.Databases).Select(d => d.Name).ToList();
            return instances.AcceptedAsync(new InstanceCommands.GrantAccess(id, tenantId, target.Name, target.Host, names), settings);
        });

        users.MapDelete("/{user}/databases/{database}", (string tenantId, string id, string user, string database,
                IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            {
                var target = ParseUserId(user);
                return instances.AcceptedAsync(new InstanceCommands.RevokeAccess(id, tenantId, target.Name, target.Host, database), settings);
            });
        return tenant;
    }

    private static async Task<IReadOnlyList<UserInfo>> ListAsync(IRequiredActor<InstanceRegion> instances, string tenantId, string id, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.ListUsers(id, tenantId), settings) switch
        {
            InstanceReplies.UsersListed listed => listed.Users,
            var reply => throw new ReplyError(ErrorOf(reply)),
        };

    private static async Task<UserInfo?> FindAsync(IRequiredActor<InstanceRegion> instances, string tenantId, string id, string user, TroveSettings settings)
    {
        var target = ParseUserId(user);
        return (await ListAsync(instances, tenantId, id, settings)).FirstOrDefault(u => u.Is(target.Name, target.Host));
    }
}
