using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts.Admin;

namespace Trove.Contracts.Guests;

/// <summary>
/// The guest messages' JSON metadata, generated at build time: the guest, published Native AOT, has no reflection-based
/// serialization. Only metadata: the names, casing and nulls on the wire come from <see cref="RpcMessage.Json"/>'s
/// options (web defaults, nulls left out), as they did when reflection read the same records. Every type a guest reads
/// or writes is listed; the node, which also sends anonymous args, falls back to reflection for the rest.
/// </summary>
[JsonSerializable(typeof(RpcMessage))]
[JsonSerializable(typeof(RpcReply))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(HeartbeatArgs))]
[JsonSerializable(typeof(UpdateBackupArgs))]
[JsonSerializable(typeof(PrepareArgs))]
[JsonSerializable(typeof(ResizeArgs))]
[JsonSerializable(typeof(ReadOnlyArgs))]
[JsonSerializable(typeof(ReplicaSource))]
[JsonSerializable(typeof(ReplicaArgs))]
[JsonSerializable(typeof(ReplicationPosition))]
[JsonSerializable(typeof(CreateBackupArgs))]
[JsonSerializable(typeof(GuestLogArgs))]
[JsonSerializable(typeof(GuestLogInfo))]
[JsonSerializable(typeof(GuestLogContents))]
[JsonSerializable(typeof(IReadOnlyList<GuestLogInfo>))]
[JsonSerializable(typeof(List<GuestLogInfo>))]
[JsonSerializable(typeof(DatabasesArgs))]
[JsonSerializable(typeof(DatabaseArgs))]
[JsonSerializable(typeof(IReadOnlyList<DatabaseSpec>))]
[JsonSerializable(typeof(List<DatabaseSpec>))]
[JsonSerializable(typeof(UsersArgs))]
[JsonSerializable(typeof(UserArgs))]
[JsonSerializable(typeof(IReadOnlyList<UserInfo>))]
[JsonSerializable(typeof(List<UserInfo>))]
[JsonSerializable(typeof(UpdateAttributesArgs))]
[JsonSerializable(typeof(GrantAccessArgs))]
[JsonSerializable(typeof(RevokeAccessArgs))]
[JsonSerializable(typeof(EnableRootArgs))]
[JsonSerializable(typeof(RootCredentials))]
[JsonSerializable(typeof(UpdateOverridesArgs))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(AccessArgs))]
[JsonSerializable(typeof(WalArchiveGrantArgs))]
internal sealed partial class RpcJsonContext : JsonSerializerContext;

/// <summary>What is read and written with the serializer's plain defaults (no naming policy, nulls written): the guest
/// info file and the admin protocol.</summary>
[JsonSerializable(typeof(GuestInfo))]
[JsonSerializable(typeof(AdminRequest))]
[JsonSerializable(typeof(AdminResponse))]
internal sealed partial class PlainJsonContext : JsonSerializerContext;

/// <summary>Typed metadata from <see cref="RpcMessage.Json"/> and the plain defaults, for the serializer's trim-safe
/// overloads.</summary>
public static class ContractsJson
{
    /// <summary>The options' resolver: the generated metadata, then reflection where the application allows it (the
    /// node, on the JIT), for the types not listed. A trimmed or Native AOT application turns reflection off (the
    /// feature switch <c>System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault</c>), and the compiler drops the
    /// reflection branch with it: the analyzers cannot see that, hence the suppressions.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only where reflection-based serialization is enabled.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only where reflection-based serialization is enabled.")]
    internal static IJsonTypeInfoResolver Resolver(IJsonTypeInfoResolver generated) =>
        JsonSerializer.IsReflectionEnabledByDefault
            ? JsonTypeInfoResolver.Combine(generated, new DefaultJsonTypeInfoResolver())
            : generated;

    /// <summary>The plain defaults (<c>new JsonSerializerOptions()</c>) over the generated metadata.</summary>
    public static readonly JsonSerializerOptions Plain = new() { TypeInfoResolver = Resolver(PlainJsonContext.Default) };

    /// <summary><typeparamref name="T"/>'s metadata under <paramref name="options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
