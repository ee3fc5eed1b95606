using System.Net;
using System.Text.Json.Nodes;
using Trove.Actors.Compute.OpenStack;

namespace Trove.Tests.OpenStack;

/// <summary>KeystoneSession against the sandbox's real Keystone (and Nova, Cinder through its catalog).</summary>
[Collection(OpenStackCollection.Name)]
public sealed class KeystoneSessionTests(OpenStackSandbox sandbox)
{
    [Fact]
    public async Task A_project_scoped_token_finds_each_service_in_its_catalog_and_calls_it()
    {
        using var session = new KeystoneSession(sandbox.Demo);
        var ct = CancellationToken.None;

        Assert.Equal("http://127.0.0.1:8774/v2.1", (await session.EndpointAsync("compute", ct)).AbsoluteUri.TrimEnd('/'));
        var projectId = await session.ProjectIdAsync(ct);
        Assert.Equal($"http://127.0.0.1:8776/v3/{projectId}", (await session.EndpointAsync("volumev3", ct)).AbsoluteUri);

        using var response = await session.SendAsync("compute", nova => new HttpRequestMessage(HttpMethod.Get, KeystoneSession.Under(nova, "flavors")), ct);
        var flavors = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["flavors"]!.AsArray();
        Assert.Contains(flavors, f => (string?)f!["name"] == "m1.tiny");
    }

    [Fact]
    public async Task The_catalog_is_read_by_region_and_interface()
    {
        using var internalSession = new KeystoneSession(sandbox.Demo with { Interface = "internal" });
        Assert.Equal("http://127.0.0.1:9292/", (await internalSession.EndpointAsync("image", CancellationToken.None)).AbsoluteUri);

        using var elsewhere = new KeystoneSession(sandbox.Demo with { Region = "Nowhere" });
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => elsewhere.EndpointAsync("compute", CancellationToken.None));
        Assert.Contains("public endpoint of type compute in region Nowhere", missing.Message);
    }

    [Fact]
    public async Task A_revoked_token_is_replaced_once_and_the_call_goes_through()
    {
        using var session = new KeystoneSession(sandbox.Demo);
        var ct = CancellationToken.None;
        var first = await session.TokenAsync(ct);

        using (await sandbox.AdminSession.SendAsync("identity", keystone =>
               {
                   var revoke = new HttpRequestMessage(HttpMethod.Delete, KeystoneSession.Under(keystone, "auth/tokens"));
                   revoke.Headers.Add("X-Subject-Token", first);
                   return revoke;
               }, ct)) { }

        // Keystone itself checks revocations at once (services cache validated tokens for minutes).
        using var response = await session.SendAsync("identity", keystone => new HttpRequestMessage(HttpMethod.Get, KeystoneSession.Under(keystone, "auth/projects")), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(first, await session.TokenAsync(ct));
    }

    [Fact]
    public async Task A_wrong_password_is_a_cloud_fault_with_keystones_message()
    {
        using var session = new KeystoneSession(sandbox.Demo with { Password = "not-the-password" });

        var fault = await Assert.ThrowsAsync<CloudFault>(() => session.TokenAsync(CancellationToken.None));

        Assert.Equal(401, fault.StatusCode);
        Assert.Equal("The request you have made requires authentication.", fault.Message);
    }

    [Fact]
    public async Task A_refusal_of_a_service_is_a_cloud_fault_with_its_message()
    {
        using var session = new KeystoneSession(sandbox.Demo);

        var fault = await Assert.ThrowsAsync<CloudFault>(() => session.SendAsync("compute",
            nova => new HttpRequestMessage(HttpMethod.Get, KeystoneSession.Under(nova, "servers/no-such-server")), CancellationToken.None));

        Assert.Equal(404, fault.StatusCode);
        Assert.Contains("could not be found", fault.Message);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_is_retried_and_then_a_transient_failure()
    {
        var unreachable = sandbox.Demo with
        {
            AuthUrl = "http://127.0.0.1:9/v3", Retries = 2, Backoff = TimeSpan.FromMilliseconds(50), CallTimeout = TimeSpan.FromSeconds(2),
        };
        using var session = new KeystoneSession(unreachable);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => session.TokenAsync(CancellationToken.None));

        Assert.True(Trove.Actors.Compute.ComputeFailures.IsTransient(failure));
        Assert.False(Trove.Actors.Compute.ComputeFailures.IsTransient(new CloudFault(403, "Quota exceeded")));
    }

    [Fact]
    public void A_token_is_replaced_before_it_expires()
    {
        var issued = DateTimeOffset.Parse("2026-12-05T10:00:00Z");
        var token = new KeystoneToken("t", "p", issued, issued.AddHours(1), []);

        Assert.True(token.FreshAt(issued.AddMinutes(54), TimeSpan.FromMinutes(5)));
        Assert.False(token.FreshAt(issued.AddMinutes(56), TimeSpan.FromMinutes(5)));
        Assert.False(token.FreshAt(issued.AddMinutes(31), TimeSpan.FromHours(2))); // short-lived: half its life
    }
}
