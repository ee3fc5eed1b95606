using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>A node with small quotas and a small rate limit, so that both can be reached by a test.</summary>
public sealed class SmallLimitsNode : IAsyncLifetime
{
    public const int InstanceQuota = 3;
    public const int RatePerMinute = 30;
    public TroveNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
    {
        ["Trove__Quotas__Instances"] = InstanceQuota.ToString(),
        ["Trove__Quotas__Volumes"] = "4",
        ["Trove__RateLimitPerMinute"] = RatePerMinute.ToString(),
    });

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

[CollectionDefinition("small-limits")]
public sealed class SmallLimitsCollection : ICollectionFixture<SmallLimitsNode>;

[Collection("small-limits")]
public sealed class QuotaAndRateLimitTests(SmallLimitsNode fixture)
{
    private TroveNode Node => fixture.Node;

    private static object Body(string name, int size = 1) => new
    {
        instance = new { name, flavorRef = "small", volume = new { size }, datastore = new { type = "postgresql" } },
    };

    [Fact]
    public async Task Concurrent_creates_over_the_quota_exactly_the_quota_succeeds_and_the_rest_get_over_limit()
    {
        const int attempts = SmallLimitsNode.InstanceQuota + 2;
        var responses = await Task.WhenAll(Enumerable.Range(0, attempts)
            .Select(i => Node.Client("race").PostAsJsonAsync("v1.0/race/instances", Body($"race-{i}"))));

        Assert.Equal(SmallLimitsNode.InstanceQuota, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(2, refused.Count);
        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["overLimit"]!;
            Assert.Contains("'instances'", (string?)error["message"]);
        }

        var limits = (await Node.Client("race").GetFromJsonAsync<JsonObject>("v1.0/race/limits"))!["limits"]!.AsArray();
        Assert.Equal(SmallLimitsNode.InstanceQuota, (int?)limits.Single(l => (string?)l!["verb"] == "ABSOLUTE")!["max_instances"]);
        var quotas = (await Node.Client("race").GetFromJsonAsync<JsonObject>("v1.0/race/mgmt/quotas/race"))!["quotas"]!.AsArray();
        Assert.Equal(SmallLimitsNode.InstanceQuota, (int?)quotas.Single(q => (string?)q!["resource"] == "instances")!["in_use"]);

        // A delete gives the quota back.
        var first = (string)(await responses.First(r => r.IsSuccessStatusCode).Content.ReadFromJsonAsync<JsonObject>())!["instance"]!["id"]!;
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Client("race").DeleteAsync($"v1.0/race/instances/{first}")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int inUse;
        do
        {
            await Task.Delay(1000);
            quotas = (await Node.Client("race").GetFromJsonAsync<JsonObject>("v1.0/race/mgmt/quotas/race"))!["quotas"]!.AsArray();
            inUse = (int)quotas.Single(q => (string?)q!["resource"] == "instances")!["in_use"]!;
        } while (inUse != SmallLimitsNode.InstanceQuota - 1 && DateTime.UtcNow < deadline);
        Assert.Equal(SmallLimitsNode.InstanceQuota - 1, inUse);
    }

    [Fact]
    public async Task A_volume_over_the_tenant_s_gigabytes_is_refused_and_nothing_is_created()
    {
        var response = await Node.Client("bigvolume").PostAsJsonAsync("v1.0/bigvolume/instances", Body("big", size: 5));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("'volumes'", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["overLimit"]!["message"]);
        Assert.Empty((await Node.Client("bigvolume").GetFromJsonAsync<JsonObject>("v1.0/bigvolume/instances"))!["instances"]!.AsArray());
    }

    [Fact]
    public async Task Past_the_rate_limit_a_tenant_gets_over_limit_with_retry_after()
    {
        for (var i = 0; i < SmallLimitsNode.RatePerMinute; i++)
            Assert.Equal(HttpStatusCode.OK, (await Node.Client("ratelimited").GetAsync("v1.0/ratelimited/flavors")).StatusCode);
        var limited = await Node.Client("ratelimited").GetAsync("v1.0/ratelimited/flavors");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        Assert.Equal("This request was rate-limited.", (string?)(await limited.Content.ReadFromJsonAsync<JsonObject>())!["overLimit"]!["message"]);

        // Other verbs and other tenants keep their own allowance.
        Assert.Equal(HttpStatusCode.OK, (await Node.Client("someone-else").GetAsync("v1.0/someone-else/flavors")).StatusCode);
    }

    [Fact]
    public async Task The_rate_limit_counts_the_routed_tenant_whatever_the_spelling_of_the_path()
    {
        string[] spellings = ["/V1.0/ratelimited", "/v1.0/./ratelimited", "/%761.0/ratelimited", "/v1.0/%72atelimited"];
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= SmallLimitsNode.RatePerMinute; i++)
        {
            using var request = Security.RawRequests.Request(Node, "DELETE", $"{spellings[i % spellings.Length]}/instances/{Guid.NewGuid()}");
            answers.Add((await Node.Client("ratelimited").SendAsync(request)).StatusCode);
        }
        Assert.All(answers[..^1], status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answers[^1]);
    }
}
