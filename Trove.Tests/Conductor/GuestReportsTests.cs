using System.Text;
using System.Text.Json;
using Trove.Actors.Conductor;
using Trove.Contracts.Guests;

namespace Trove.Tests.Conductor;

/// <summary>A report read from its body in one pass (<see cref="RpcMessage.MethodOf"/>, <see cref="RpcMessage.ArgsOf{TArgs}"/>)
/// names what the two passes through a <c>JsonObject</c> named, wherever its keys are.</summary>
public sealed class GuestReportsTests
{
    private const string Instance = "3f1c9a52-0000-4000-8000-000000000001";

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void A_heartbeat_as_a_guest_writes_it_names_its_method_instance_and_sent_time()
    {
        var body = RpcMessage.Create(GuestMethods.Heartbeat,
            new HeartbeatArgs(Instance, new HeartbeatPayload(ServiceStatusNames.Healthy, VolumeUsed: 1.5), 1765000000.25)).ToBytes();

        Assert.Equal(GuestMethods.Heartbeat, RpcMessage.MethodOf(body));
        var report = GuestReports.Kinds[GuestMethods.Heartbeat](body);
        Assert.Equal((Instance, DateTimeOffset.FromUnixTimeMilliseconds(1765000000250)), (report.InstanceId, report.Sent));
        Assert.Equal(RpcMessage.Parse(body).ArgsAs<HeartbeatArgs>(), RpcMessage.ArgsOf<HeartbeatArgs>(body));
    }

    [Fact]
    public void The_method_is_found_after_the_args_and_unknown_keys_are_passed_over()
    {
        var body = Body($$$"""{"version":"1.0","args":{"instance_id":"{{{Instance}}}","backup_id":"b1","sent":1765000000,"state":"COMPLETED","extra":{"method":"x"}},"trace":[1,{"a":"b"}],"method":"update_backup"}""");

        Assert.Equal(GuestMethods.UpdateBackup, RpcMessage.MethodOf(body));
        var update = RpcMessage.ArgsOf<UpdateBackupArgs>(body);
        Assert.Equal((Instance, "b1", BackupStatus.Completed, (string?)null), (update.InstanceId, update.BackupId, update.State, update.Fault));
    }

    [Theory]
    [InlineData("""{"args":{"instance_id":"i"}}""")]
    [InlineData("""{"method":3,"args":{}}""")]
    [InlineData("""["heartbeat"]""")]
    [InlineData("""{"method":"heartbeat""")]
    public void A_body_without_a_method_is_malformed(string json) =>
        Assert.ThrowsAny<JsonException>(() => RpcMessage.MethodOf(Body(json)));

    [Fact]
    public void A_report_without_args_is_malformed() =>
        Assert.ThrowsAny<JsonException>(() => GuestReports.Kinds[GuestMethods.Heartbeat](Body("""{"method":"heartbeat","version":"1.0"}""")));
}
