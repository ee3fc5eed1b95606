using Trove.Web.OpenApi;
using System.Text.Json.Nodes;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
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
        var users = tenant.MapGroup("/instances/{id}/users").ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        users.MapPost("", CreateUsers);
        users.MapGet("", ListUsers).Produces<UserListShape>();
        users.MapPut("", UpdateUsers);
        users.MapGet("/{user}", GetUser).Produces<UserDocumentShape>();
        users.MapPut("/{user}", UpdateUser);
        users.MapDelete("/{user}", DeleteUser);
        users.MapGet("/{user}/databases", ListAccess).Produces<AccessListShape>();
        users.MapPut("/{user}/databases", GrantAccess);
        users.MapDelete("/{user}/databases/{database}", RevokeAccess);
        return tenant;
    }

    public static Task<Results<Accepted, TroveErrorResult>> CreateUsers(string tenantId, string id, Body<UsersBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        instances.AcceptedAsync(new InstanceCommands.CreateUsers(id, tenantId, UserBody.Specs(body.Value.Users, knownDatabases: null)), settings);

    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> ListUsers(string tenantId, string id, HttpRequest request,
        int? limit, string? marker, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await ListAsync(instances, tenantId, id, settings) switch
        {
            InstanceReplies.UsersListed listed => Paging.Result(request, "users", listed.Users, u => $"{u.Name}@{u.Host ?? "%"}", View, limit, marker),
            var reply => ErrorOf(reply),
        };

    /// <summary>Password changes for several users at once (upstream's update_all).</summary>
    public static Task<Results<Accepted, TroveErrorResult>> UpdateUsers(string tenantId, string id, Body<UsersBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var updates = new List<UpdateAttributesArgs>();
        foreach (var user in body.Value.Users!)
        {
            var name = user!.Name ?? throw RequestError.Invalid("'name' is required.");
            Passwords.Check(name, user.Password);
            updates.Add(new UpdateAttributesArgs(name, user.Host, new UserChanges(null, user.Password, null)));
        }
        return instances.AcceptedAsync(new InstanceCommands.UpdateUsers(id, tenantId, updates), settings);
    }

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetUser(string tenantId, string id, string user,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await ListAsync(instances, tenantId, id, settings) switch
        {
            InstanceReplies.UsersListed listed when Find(listed, user) is { } found => TypedResults.Ok<object>(new { user = View(found) }),
            InstanceReplies.UsersListed => UserNotFound(id, user),
            var reply => ErrorOf(reply),
        };

    public static Task<Results<Accepted, TroveErrorResult>> UpdateUser(string tenantId, string id, string user, Body<UserChangeBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var change = body.Value.User!;
        var target = ParseUserId(user);
        if (change.Password is not null)
            Passwords.Check(change.Name ?? user, change.Password);
        return instances.AcceptedAsync(new InstanceCommands.UpdateUsers(id, tenantId,
            [new UpdateAttributesArgs(target.Name, target.Host, new UserChanges(change.Name, change.Password, change.Host))]), settings);
    }

    /// <summary>The entity deletes a user its guest lists, and answers 404 for one it does not.</summary>
    public static Task<Results<Accepted, TroveErrorResult>> DeleteUser(string tenantId, string id, string user,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var target = ParseUserId(user);
        return instances.AcceptedAsync(new InstanceCommands.DeleteUser(id, tenantId, target.Name, target.Host), settings);
    }

    public static async Task<Results<Ok<object>, TroveErrorResult>> ListAccess(string tenantId, string id, string user,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await ListAsync(instances, tenantId, id, settings) switch
        {
            InstanceReplies.UsersListed listed when Find(listed, user) is { } found =>
                TypedResults.Ok<object>(new { databases = found.Databases.Select(d => new { name = d.Name }) }),
            InstanceReplies.UsersListed => UserNotFound(id, user),
            var reply => ErrorOf(reply),
        };

    public static Task<Results<Accepted, TroveErrorResult>> GrantAccess(string tenantId, string id, string user, Body<DatabasesBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var target = ParseUserId(user);
        var names = DatabaseBody.Specs(body.Value.Databases).Select(d => d.Name).ToList();
        return instances.AcceptedAsync(new InstanceCommands.GrantAccess(id, tenantId, target.Name, target.Host, names), settings);
    }

    public static Task<Results<Accepted, TroveErrorResult>> RevokeAccess(string tenantId, string id, string user, string database,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var target = ParseUserId(user);
        return instances.AcceptedAsync(new InstanceCommands.RevokeAccess(id, tenantId, target.Name, target.Host, database), settings);
    }

    private static Task<InstanceReply> ListAsync(IRequiredActor<InstanceRegion> instances, string tenantId, string id, TroveSettings settings) =>
        instances.AskAsync(new InstanceCommands.ListUsers(id, tenantId), settings);

    private static UserInfo? Find(InstanceReplies.UsersListed listed, string user)
    {
        var target = ParseUserId(user);
        return listed.Users.FirstOrDefault(u => u.Is(target.Name, target.Host));
    }

    private static TroveErrorResult UserNotFound(string id, string user) => TroveError.Result(404, $"User {user} cannot be found on instance {id}.");
}
