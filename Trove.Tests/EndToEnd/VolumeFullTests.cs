using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MySqlConnector;
using Npgsql;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A volume filled up on the real stack: the guest turns the engine read-only, tenants get the engine's own
/// error, the instance's view shows the fault, and a bigger volume turns writes back on and clears the fault.</summary>
[Collection("node")]
public sealed class VolumeFullTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private const string Insert = "CREATE TABLE IF NOT EXISTS filled (n int); INSERT INTO filled VALUES (1); SELECT count(*) FROM filled";

    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public async Task A_full_volume_refuses_writes_with_the_engine_s_error_until_the_volume_grows(string datastore, string version)
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody($"{datastore}-full", datastore, version)))["id"]!;
        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal(1L, Convert.ToInt64(await EngineClient.ScalarAsync(instance, Insert)));

        // The guest counts the files' lengths in its server's directory against the volume: a sparse gigabyte fills it.
        var filler = Path.Combine(Node.ServersDir, id, "filler");
        await using (var file = File.Create(filler))
            file.SetLength(1L << 30);

        Exception? refused = null;
        await EventuallyAsync(async () => (refused = await Record.ExceptionAsync(() => EngineClient.ScalarAsync(instance, Insert))) is not null);
        Assert.True(refused is MySqlException { ErrorCode: MySqlErrorCode.OptionPreventsStatement }
                        or PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction },
            $"{refused!.GetType().Name}: {refused.Message}");
        Assert.Contains("read-only", refused.Message);
        var before = Convert.ToInt64(await EngineClient.ScalarAsync(instance, "SELECT count(*) FROM filled"));
        Assert.True((double)(await Node.ShowAsync("demo", id))!["volume"]!["used"]! >= 1.0);
        JsonNode? fault = null;
        await EventuallyAsync(async () => (fault = (await Node.ShowAsync("demo", id))!["fault"]) is not null);
        Assert.Contains("volume is full", (string?)fault!["message"]);
        Assert.NotNull((string?)fault["created"]);
        Assert.Equal("ACTIVE", (string?)(await Node.ShowAsync("demo", id))!["status"]); // reads go on: a fault, not an error

        Assert.Equal(HttpStatusCode.Accepted,
            (await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { resize = new { volume = new { size = 2 } } })).StatusCode);
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        await EventuallyAsync(async () => await Record.ExceptionAsync(() => EngineClient.ScalarAsync(instance, Insert)) is null);
        Assert.Equal(before + 1, Convert.ToInt64(await EngineClient.ScalarAsync(instance, "SELECT count(*) FROM filled")));
        await EventuallyAsync(async () => (await Node.ShowAsync("demo", id))!["fault"] is null);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    /// <summary>Tries every 200 ms for 30 s (heartbeats come every second in tests) until the condition holds.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the condition was not met within 30 s");
            await Task.Delay(200);
        }
    }
}
