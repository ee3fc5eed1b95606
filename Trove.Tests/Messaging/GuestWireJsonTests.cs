using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts.Admin;
using Trove.Contracts.Guests;

namespace Trove.Tests.Messaging;

/// <summary>
/// The guest (Native AOT) reads and writes its messages with source-generated metadata; guests and nodes of the
/// releases before it used reflection. During a rolling upgrade they talk to each other, so the JSON must be the same
/// bytes: each message written both ways, and read back both ways.
/// </summary>
public sealed class GuestWireJsonTests
{
    /// <summary>What the releases before wrote with: the same options, metadata by reflection.</summary>
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSerializerOptions PlainReflection = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    public static TheoryData<object> Messages() =>
    [
        new PrepareArgs([new DatabaseSpec("appdb"), new DatabaseSpec("b", "utf8", null)],
            [new UserSpec("app", "pw", null, [new UserDatabase("appdb")])],
            new BackupInfo("b1", "loc", "sum", new BackupInfo("b0", null, null), "https://swift/x?sig=1"),
            new Dictionary<string, string> { ["max_connections"] = "50" }, true, new AccessArgs(["10.0.0.0/8"]),
            new ReplicaSource("127.42.0.3", 5432, "repl", "pw", "slot"), new RecoveryArgs(DateTimeOffset.Parse("2026-12-07T10:00:00Z"), null),
            new FlavorArgs(512, 2)),
        new PrepareArgs([], []),
        new HeartbeatArgs("i1", new HeartbeatPayload(ServiceStatusNames.Healthy, null, 0.125, null), 1765100000.5),
        new UpdateBackupArgs("i1", "b1", 1765100000.25, BackupStatus.Completed, 1234, "md5", "loc", null, "etag"),
        new ResizeArgs(2, 1024),
        new ReadOnlyArgs(true),
        new ReplicationPosition("0/3000060", false, null),
        new ReplicationPosition(null, true, "0-1-42"),
        new CreateBackupArgs(new BackupInfo("b1", null, null)),
        new GuestLogArgs("general", null),
        new GuestLogContents(new GuestLogInfo("error", "SYS", true, 10), "text"),
        new UpdateAttributesArgs("u", null, new UserChanges(null, "pw2", "%")),
        new GrantAccessArgs("u", "%", ["a", "b"]),
        new RevokeAccessArgs("u", null, "a"),
        new EnableRootArgs(null),
        new RootCredentials("root", "pw"),
        new UpdateOverridesArgs(new Dictionary<string, string> { ["a"] = "1" }),
        new WalArchiveGrantArgs("https://swift/wal?sig=2", DateTimeOffset.Parse("2026-12-07T11:00:00+01:00")),
        new RpcReply(JsonValue.Create(true), null),
        new RpcReply(null, "boom", RpcFailureKinds.Invalid),
        RpcMessage.Create(GuestMethods.GetStatus, new ReplicaArgs("r1")),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_is_written_and_read_as_reflection_wrote_and_read_it(object message)
    {
        var type = message.GetType();
        var generated = JsonSerializer.Serialize(message, RpcMessage.Json.GetTypeInfo(type));
        Assert.Equal(JsonSerializer.Serialize(message, type, Reflection), generated);
        Assert.Equal(generated, JsonSerializer.Serialize(JsonSerializer.Deserialize(generated, RpcMessage.Json.GetTypeInfo(type)), type, Reflection));
        Assert.Equal(generated, JsonSerializer.Serialize(JsonSerializer.Deserialize(generated, type, Reflection), RpcMessage.Json.GetTypeInfo(type)));
    }

    [Fact]
    public void The_guest_info_file_and_the_admin_protocol_keep_the_plain_defaults()
    {
        var info = new GuestInfo("i1", "postgresql", "15", 5432, "/srv/x", "amqp://u:p@h/", "trove", "cq", 3, "/b", Address: "127.42.0.9");
        Assert.Equal(JsonSerializer.Serialize(info, PlainReflection), GuestInfoJson.Serialize(info));
        Assert.Equal(info, GuestInfoJson.Deserialize(JsonSerializer.Serialize(info, PlainReflection), "test"));
        Assert.Equal(JsonSerializer.Serialize(new AdminRequest(["a", "b"], null), PlainReflection),
            JsonSerializer.Serialize(new AdminRequest(["a", "b"], null), Trove.Contracts.Guests.ContractsJson.Plain.GetTypeInfo(typeof(AdminRequest))));
    }

    /// <summary>The guest has no reflection: every type it reads or writes has generated metadata.</summary>
    [Fact]
    public void Every_type_the_guest_reads_or_writes_has_generated_metadata()
    {
        var generatedOnly = new JsonSerializerOptions(RpcMessage.Json) { TypeInfoResolver = RpcMessage.Json.TypeInfoResolverChain[0] };
        foreach (var type in ((IEnumerable<object[]>)Messages()).Select(row => row[0].GetType()).Concat([typeof(IReadOnlyList<DatabaseSpec>), typeof(IReadOnlyList<UserInfo>),
                     typeof(IReadOnlyList<GuestLogInfo>), typeof(IReadOnlyDictionary<string, string>), typeof(DatabasesArgs), typeof(DatabaseArgs),
                     typeof(UsersArgs), typeof(UserArgs), typeof(AccessArgs), typeof(ReplicaArgs), typeof(ReplicaSource), typeof(JsonObject), typeof(JsonNode)]))
            Assert.NotNull(generatedOnly.TypeInfoResolver!.GetTypeInfo(type, generatedOnly));
    }
}
