using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Trove.Tests.Support;
using Trove.Web.Auth;

namespace Trove.Tests.Security;

/// <summary>The built-in identity service refuses settings that leave it guessable: well-known users beyond loopback,
/// short token keys, a key file others can read.</summary>
public sealed class IdentityStartupTests
{
    [Theory]
    [InlineData("Trove__HttpHost", "0.0.0.0", "AllowDefaultUsers")]
    [InlineData("Trove__Auth__TokenKey", "only-31-bytes-of-token-key-here", "TokenKey")]
    public async Task A_node_refuses_to_start_with_an_unsafe_identity_setting(string setting, string value, string named)
    {
        var dataDir = TroveNode.NewDataDir();
        try
        {
            // The test node's users include demo/demo and admin/admin, the built-in users' well-known passwords.
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                await (await TroveNode.StartAsync(dataDir, new Dictionary<string, string> { [setting] = value })).DisposeAsync());
            Assert.Contains("exited", refused.Message);
            Assert.Contains(named, await File.ReadAllTextAsync(Path.Combine(dataDir, "node.log")));
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void Default_users_are_accepted_on_loopback_or_when_allowed_and_own_users_anywhere()
    {
        foreach (var host in new[] { "127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2" })
            new AuthSettings().Validated(host);
        new AuthSettings { AllowDefaultUsers = true }.Validated("0.0.0.0");
        new AuthSettings { Users = [new AuthUser("alice", "a long secret", "team", ["member"])] }.Validated("192.0.2.10");
        new AuthSettings { TokenKey = new string('k', AuthSettings.MinTokenKeyBytes) }.Validated();
        Assert.Throws<InvalidOperationException>(() => new AuthSettings { Users = [new AuthUser("admin", "admin", "ops", ["admin"])] }.Validated("192.0.2.10"));
        Assert.Throws<InvalidOperationException>(() => new AuthSettings { TokenKey = "short" }.Validated());
    }

    [Fact]
    public void A_key_file_others_can_read_is_made_private_to_the_node()
    {
        var dataDir = TroveNode.NewDataDir();
        try
        {
            var path = Path.Combine(dataDir, "auth.key");
            TokenSigner.FromSettings(new AuthSettings(), dataDir);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            TokenSigner.FromSettings(new AuthSettings(), dataDir);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

/// <summary>Password logins are limited per source address: one address guessing passwords is stopped, another is not.</summary>
[Collection("security")]
public sealed class TokenIssueLimitTests(SecurityNode fixture)
{
    [Fact]
    public async Task Logins_past_the_limit_from_one_address_get_429_with_retry_after_and_other_addresses_still_log_in()
    {
        const int limit = SecurityNode.TokenIssuePerMinute;
        using var guesser = From(IPAddress.Parse("127.0.0.2"));
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3 * limit; i++)
            answers.Add(await guesser.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", i % 2 == 0 ? "demo" : "guess", "demo")));

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        // A window may turn over during the test, so at most two windows' worth get through.
        Assert.InRange(answers.Count - limited.Count, limit, 2 * limit);
        Assert.True(int.Parse(limited[0].Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        Assert.Equal(429, (int?)(await limited[0].Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);

        using var other = From(IPAddress.Parse("127.0.0.3"));
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", "demo", "demo"))).StatusCode);
    }

    /// <summary>A client whose connections come from <paramref name="address"/> (any 127/8 address is this machine's).</summary>
    private HttpClient From(IPAddress address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = fixture.Node.BaseAddress };
}
