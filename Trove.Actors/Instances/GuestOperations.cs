using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Actors.Instances;

/// <summary>The guest calls that carry out each <see cref="IGuestCommand"/>, and the typed reply made of the guest's answers.</summary>
public static class GuestOperations
{
    public static IReadOnlyList<RpcMessage> CallsOf(IGuestCommand command) => command switch
    {
        CreateDatabases c => [RpcMessage.Create(GuestMethods.CreateDatabase, new DatabasesArgs(c.Databases))],
        DeleteDatabase d => [RpcMessage.Create(GuestMethods.DeleteDatabase, new DatabaseArgs(new DatabaseSpec(d.Name)))],
        ListDatabases => [RpcMessage.Create(GuestMethods.ListDatabases, new { })],
        CreateUsers c => [RpcMessage.Create(GuestMethods.CreateUser, new UsersArgs(c.Users))],
        DeleteUser d => [RpcMessage.Create(GuestMethods.DeleteUser, new UserArgs(new UserRef(d.Name, d.Host)))],
        ListUsers => [RpcMessage.Create(GuestMethods.ListUsers, new { })],
        UpdateUsers u => u.Updates.Select(update => RpcMessage.Create(GuestMethods.UpdateAttributes, update)).ToList(),
        GrantAccess g => [RpcMessage.Create(GuestMethods.GrantAccess, new GrantAccessArgs(g.User, g.Host, g.Databases))],
        RevokeAccess r => [RpcMessage.Create(GuestMethods.RevokeAccess, new RevokeAccessArgs(r.User, r.Host, r.Database))],
        GetConfiguration => [RpcMessage.Create(GuestMethods.GetConfiguration, new { })],
        StopDatabase => [RpcMessage.Create(GuestMethods.StopDb, new { })],
        ListGuestLogs => [RpcMessage.Create(GuestMethods.GuestLogList, new { })],
        SetGuestLog { Read: false } s => [RpcMessage.Create(GuestMethods.GuestLogAction, new GuestLogArgs(s.Name, s.Enable))],
        SetGuestLog s => [RpcMessage.Create(GuestMethods.GuestLogAction, new GuestLogArgs(s.Name, s.Enable)),
            RpcMessage.Create(GuestMethods.GuestLogRead, new GuestLogArgs(s.Name))],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "not a guest operation"),
    };

    /// <summary>The reply once every call answered; <paramref name="lastResult"/> is the last call's result.</summary>
    public static InstanceReply ReplyOf(IGuestCommand command, JsonNode? lastResult) => command switch
    {
        ListDatabases => new InstanceReplies.DatabasesListed(lastResult.Deserialize<List<DatabaseSpec>>(RpcMessage.Json) ?? []),
        ListUsers => new InstanceReplies.UsersListed(lastResult.Deserialize<List<UserInfo>>(RpcMessage.Json) ?? []),
        ListGuestLogs => new InstanceReplies.GuestLogsListed(lastResult.Deserialize<List<GuestLogInfo>>(RpcMessage.Json) ?? []),
        SetGuestLog { Read: false } => new InstanceReplies.GuestLogsListed([lastResult.Deserialize<GuestLogInfo>(RpcMessage.Json)!]),
        SetGuestLog => new InstanceReplies.GuestLogRead(lastResult.Deserialize<GuestLogContents>(RpcMessage.Json)!),
        GetConfiguration => new InstanceReplies.ConfigurationRead(lastResult.Deserialize<Dictionary<string, string>>(RpcMessage.Json) ?? []),
        _ => InstanceReplies.GuestDone.Instance,
    };

    /// <summary>A guest call that did not succeed, as the reply that says why.</summary>
    public static InstanceReply FailureOf(Exception e) => e.GetBaseException() is RpcException rpc
        ? new InstanceReplies.GuestFailed(rpc.Kind, rpc.Message)
        : new InstanceReplies.GuestFailed(RpcFailureKinds.Error, $"The guest did not answer: {e.GetBaseException().Message}");
}
