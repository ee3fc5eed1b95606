using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Guest.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>Upstream's guest API: each method name to the datastore manager's operation.</summary>
public sealed class GuestDispatcher(IDatastoreManager manager)
{
    private readonly GuestLogs logs = new(manager);

    private static JsonNode? ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, RpcMessage.Json.Info<T>());

    /// <summary>Runs one message; prepare and the start/stop methods are the agent's, as they also report status.</summary>
    public async Task<JsonNode?> DispatchAsync(RpcMessage message, CancellationToken ct)
    {
        switch (message.Method)
        {
            case GuestMethods.RpcPing:
                return JsonValue.Create(true);
            case GuestMethods.GuestLogList:
                return ToJson(await logs.ListAsync(ct));
            case GuestMethods.GuestLogAction:
                return ToJson(await logs.SetAsync(message.ArgsAs<GuestLogArgs>(), ct));
            case GuestMethods.GuestLogRead:
                return ToJson(await logs.ReadAsync(message.ArgsAs<GuestLogArgs>(), ct));
            case GuestMethods.GetStatus:
                return JsonValue.Create(await manager.GetStatusAsync(ct));
            case GuestMethods.CreateDatabase:
                await manager.CreateDatabasesAsync(message.ArgsAs<DatabasesArgs>().Databases, ct);
                return null;
            case GuestMethods.ListDatabases:
                return ToJson(await manager.ListDatabasesAsync(ct));
            case GuestMethods.DeleteDatabase:
                await manager.DeleteDatabaseAsync(message.ArgsAs<DatabaseArgs>().Database.Name, ct);
                return null;
            case GuestMethods.CreateUser:
                await manager.CreateUsersAsync(message.ArgsAs<UsersArgs>().Users, ct);
                return null;
            case GuestMethods.ListUsers:
                return ToJson(await manager.ListUsersAsync(ct));
            case GuestMethods.UpdateAttributes:
                var update = message.ArgsAs<UpdateAttributesArgs>();
                await manager.UpdateUserAsync(update.Username, update.Hostname, update.UserAttrs, ct);
                return null;
            case GuestMethods.DeleteUser:
                var user = message.ArgsAs<UserArgs>().User;
                await manager.DeleteUserAsync(user.Name, user.Host, ct);
                return null;
            case GuestMethods.GrantAccess:
                var grant = message.ArgsAs<GrantAccessArgs>();
                await manager.GrantAccessAsync(grant.Username, grant.Hostname, grant.Databases, ct);
                return null;
            case GuestMethods.RevokeAccess:
                var revoke = message.ArgsAs<RevokeAccessArgs>();
                await manager.RevokeAccessAsync(revoke.Username, revoke.Hostname, revoke.Database, ct);
                return null;
            case GuestMethods.EnableRoot:
                var password = await manager.EnableRootAsync(message.ArgsAs<EnableRootArgs>().RootPassword, ct);
                return ToJson(new RootCredentials(RootName, password));
            case GuestMethods.UpdateOverrides:
                await manager.ApplyOverridesAsync(message.ArgsAs<UpdateOverridesArgs>().Overrides, ct);
                return null;
            case GuestMethods.GetConfiguration:
                return ToJson(await manager.GetConfigurationAsync(ct));
            case GuestMethods.UpdateAccess:
                await manager.UpdateAccessAsync(message.ArgsAs<AccessArgs>().Networks(), ct);
                return null;
            case GuestMethods.GetReplicaContext:
                return ToJson(await manager.GrantReplicaAsync(message.ArgsAs<ReplicaArgs>().ReplicaId, ct));
            case GuestMethods.CleanupSourceOnReplicaDetach:
                await manager.RevokeReplicaAsync(message.ArgsAs<ReplicaArgs>().ReplicaId, ct);
                return null;
            case GuestMethods.DetachReplica:
                await manager.DetachAsync(ct);
                return null;
            case GuestMethods.GetLastTxn:
                return ToJson(await manager.PositionAsync(ct));
            case GuestMethods.GrantWalArchive:
                await manager.GrantLogArchiveAsync(message.ArgsAs<WalArchiveGrantArgs>().Uri, ct);
                return null;
            case GuestMethods.DisableRoot:
                await manager.DisableRootAsync(ct);
                return null;
            default:
                throw new NotSupportedException($"unknown method '{message.Method}'");
        }
    }

    /// <summary>The superuser's name as the API shows it.</summary>
    public string RootName => manager.RootUserName;

    /// <summary>The failure's kind, so that the API can answer 404 or 400 rather than 500.</summary>
    public static string KindOf(Exception e) => e switch
    {
        KeyNotFoundException => RpcFailureKinds.NotFound,
        ArgumentException or NotSupportedException or JsonException => RpcFailureKinds.Invalid,
        _ => RpcFailureKinds.Error,
    };
}
