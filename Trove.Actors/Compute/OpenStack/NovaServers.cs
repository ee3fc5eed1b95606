using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Trove.Actors.Catalog;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>Nova's servers API (compute v2.1 at microversion 2.37, the first that takes <c>"networks": "none"</c>).</summary>
internal sealed class NovaServers(KeystoneSession cloud, NovaComputeSettings settings)
{
    private readonly OpenStackCalls _nova = new(cloud, "compute", "X-OpenStack-Nova-API-Version", "2.37");

    public async Task<NovaServer?> GetAsync(string id, CancellationToken ct) =>
        await _nova.GetOrNullAsync($"servers/{Uri.EscapeDataString(id)}", ct) is { } body && NovaServer.Parse(body["server"]!) is { IsGone: false } server
            ? server
            : null;

    public async Task<NovaServer> RequireAsync(string id, CancellationToken ct) =>
        await GetAsync(id, ct) ?? throw new CloudFault(404, $"Server {id} could not be found.");

    /// <summary>The project's servers whose name matches the regular expression (Nova's own name filter), every page.</summary>
    public async Task<IReadOnlyList<NovaServer>> ListAsync(string nameRegex, CancellationToken ct)
    {
        var servers = new List<NovaServer>();
        for (var marker = ""; ;)
        {
            var page = (await _nova.CallAsync(HttpMethod.Get,
                $"servers/detail?name={Uri.EscapeDataString(nameRegex)}&limit=200{(marker == "" ? "" : $"&marker={marker}")}", null, ct))!;
            var batch = page["servers"]!.AsArray().Select(s => NovaServer.Parse(s!)).ToList();
            servers.AddRange(batch.Where(s => !s.IsGone));
            if (batch.Count < 200)
                return servers;
            marker = batch[^1].Id;
        }
    }

    /// <summary>The server of that exact name (the oldest, should a failure ever have made two).</summary>
    public async Task<NovaServer?> FindByNameAsync(string name, CancellationToken ct) =>
        (await ListAsync($"^{Regex.Escape(name)}$", ct)).LastOrDefault(s => s.Name == name); // newest first

    public async Task<string> CreateAsync(JsonObject server, CancellationToken ct) =>
        (string)(await _nova.CallAsync(HttpMethod.Post, "servers", new JsonObject { ["server"] = server }, ct))!["server"]!["id"]!;

    public Task ActionAsync(string id, string action, JsonNode? args, CancellationToken ct) =>
        _nova.CallAsync(HttpMethod.Post, $"servers/{Uri.EscapeDataString(id)}/action", new JsonObject { [action] = args }, ct);

    /// <summary>Asks Nova to delete the server; one already gone is fine.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        try
        {
            await _nova.CallAsync(HttpMethod.Delete, $"servers/{Uri.EscapeDataString(id)}", null, ct);
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for the server. A server in ERROR, or one
    /// <paramref name="failed"/> finds failed (returning why), is a <see cref="CloudFault"/> with Nova's fault message.</summary>
    public Task<NovaServer> WaitAsync(string id, string what, Func<NovaServer, bool> done, CancellationToken ct,
        Func<NovaServer, string?>? failed = null) =>
        OpenStackCalls.PollAsync<NovaServer>(async c =>
        {
            var server = await RequireAsync(id, c);
            if (server.Status == "ERROR")
                throw new CloudFault(0, server.Fault ?? $"Server {id} went to ERROR.");
            if (failed?.Invoke(server) is { } why)
                throw new CloudFault(0, why);
            return (done(server) ? server : null, $"{server.Status}/{server.TaskState ?? "none"}");
        }, $"server {id}: {what}", settings.PollInterval, settings.BuildTimeout, ct);

    /// <summary>Waits until Nova answers 404 for the server, asking it again to delete now and then (a delete Nova lost,
    /// e.g. to a restart of its compute service, is sent again).</summary>
    public async Task WaitGoneAsync(string id, CancellationToken ct)
    {
        var asked = DateTimeOffset.UtcNow;
        await OpenStackCalls.PollAsync<object>(async c =>
        {
            var server = await GetAsync(id, c);
            if (server is null)
                return (new object(), "gone");
            if (server.TaskState != "deleting" && DateTimeOffset.UtcNow - asked > TimeSpan.FromSeconds(10))
            {
                await DeleteAsync(id, c);
                asked = DateTimeOffset.UtcNow;
            }
            return (null, $"{server.Status}/{server.TaskState ?? "none"}");
        }, $"server {id}: deleted", settings.PollInterval, settings.BuildTimeout, ct);
    }

    /// <summary>The volumes attached to the server.</summary>
    public async Task<IReadOnlyList<string>> AttachedVolumesAsync(string id, CancellationToken ct) =>
        await _nova.GetOrNullAsync($"servers/{Uri.EscapeDataString(id)}/os-volume_attachments", ct) is { } body
            ? body["volumeAttachments"]!.AsArray().Select(a => (string)a!["volumeId"]!).ToList()
            : [];

    public Task AttachAsync(string id, string volumeId, CancellationToken ct) =>
        _nova.CallAsync(HttpMethod.Post, $"servers/{Uri.EscapeDataString(id)}/os-volume_attachments",
            new JsonObject { ["volumeAttachment"] = new JsonObject { ["volumeId"] = volumeId } }, ct);

    public Task DetachAsync(string id, string volumeId, CancellationToken ct) =>
        _nova.CallAsync(HttpMethod.Delete, $"servers/{Uri.EscapeDataString(id)}/os-volume_attachments/{Uri.EscapeDataString(volumeId)}", null, ct);

    public async Task<IReadOnlyList<Flavor>> FlavorsAsync(CancellationToken ct) =>
        (await _nova.CallAsync(HttpMethod.Get, "flavors/detail", null, ct))!["flavors"]!.AsArray()
        .Select(f => new Flavor((string)f!["id"]!, (string)f["name"]!, (int)f["ram"]!, (int)f["vcpus"]!, (int)f["disk"]!))
        .ToList();

    /// <summary>The Glance image id of an image given by id or by name.</summary>
    public async Task<string> ImageIdAsync(string image, CancellationToken ct)
    {
        if (Guid.TryParse(image, out _))
            return image;
        var glance = new OpenStackCalls(cloud, "image", "OpenStack-API-Version", "image 2.0");
        var found = (await glance.CallAsync(HttpMethod.Get, $"v2/images?name={Uri.EscapeDataString(image)}", null, ct))!["images"]!.AsArray();
        return found.Count > 0 ? (string)found[0]!["id"]! : throw new CloudFault(404, $"No image named {image} was found in Glance.");
    }
}
