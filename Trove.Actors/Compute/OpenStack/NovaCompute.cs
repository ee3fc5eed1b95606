using System.Text.Json.Nodes;
using System.Text;
using Microsoft.Extensions.Logging;
using Trove.Actors.Catalog;
using Trove.Actors.Guests;
using Trove.Contracts.Datastores;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>
/// The compute driver for an OpenStack cloud: an instance's server is the Nova server <c>trove-{instanceId}</c>, booted
/// from its datastore version's image with the spec's flavor and the guest's configuration as user data, and, when
/// configured, a Cinder volume of the same name attached to it. Every step looks first for what an earlier,
/// interrupted attempt made (by name), so that a repeated create resumes the same server and volume.
/// Servers have no guest to restart on their own: recovering one hard-reboots it when it is SHUTOFF, and there is
/// nothing to adopt (older releases never made cloud servers).
/// </summary>
public sealed class NovaCompute : ICompute, IFlavorSource
{
    public const string NamePrefix = "trove-";
    private const string DatastoreKey = "trove_datastore", InstanceKey = "trove_instance_id";

    private readonly NovaComputeSettings _settings;
    private readonly Func<ServerSpec, string>? _userData;
    private readonly ILogger _log;
    private readonly NovaServers _servers;
    private readonly CinderVolumes _volumes;

    /// <param name="cloud">The node's own cloud account, whose project the servers and volumes belong to.</param>
    /// <param name="userData">The cloud-init user data that starts the server's guest with its configuration.</param>
    public NovaCompute(KeystoneSession cloud, NovaComputeSettings settings, Func<ServerSpec, string>? userData, ILogger<NovaCompute> log)
    {
        _settings = settings;
        _userData = userData;
        _log = log;
        _servers = new NovaServers(cloud, settings);
        _volumes = new CinderVolumes(cloud, settings);
    }

    public static string NameOf(string instanceId) => NamePrefix + instanceId;

    public async Task<Server> CreateServerAsync(ServerSpec spec, IProgress<ServerStep>? steps, CancellationToken ct)
    {
        var name = NameOf(spec.InstanceId);
        var id = await KnownServerAsync(spec.KnownServerId, ct) ?? (await _servers.FindByNameAsync(name, ct))?.Id ?? await BootAsync(spec, name, ct);
        if (id != spec.KnownServerId)
            steps?.Report(new ServerStep.ServerAccepted(id));
        var server = await _servers.WaitAsync(id, "ACTIVE", s => s.IsSettledIn("ACTIVE"), ct);
        if (_settings.Volumes && spec.VolumeSize > 0)
            await AttachVolumeAsync(name, spec.KnownVolumeId, server.Id, spec.VolumeSize, steps, ct);
        return ToServer(server);
    }

    /// <summary>The journaled server when Nova still has it (one deleted meanwhile out of band is made again).</summary>
    private async Task<string?> KnownServerAsync(string? serverId, CancellationToken ct) =>
        serverId is not null && await _servers.GetAsync(serverId, ct) is { } server ? server.Id : null;

    /// <summary>Asks Nova for the server. A POST that timed out or met a 5xx may have been done: Nova is asked by name
    /// before the failure is passed on (and before a retry of the create would post again).</summary>
    private async Task<string> BootAsync(ServerSpec spec, string name, CancellationToken ct)
    {
        var body = await ServerBodyAsync(spec, name, ct);
        try
        {
            var id = await _servers.CreateAsync(body, ct);
            _log.LogInformation("instance {Instance}: Nova accepted server {Server} ({Name})", spec.InstanceId, id, name);
            return id;
        }
        catch (Exception e) when (ComputeFailures.IsTransient(e))
        {
            if (await _servers.FindByNameAsync(name, ct) is { } made)
                return made.Id;
            throw;
        }
    }

    private async Task<JsonObject> ServerBodyAsync(ServerSpec spec, string name, CancellationToken ct)
    {
        if (spec.FlavorId is not { Length: > 0 })
            throw new InvalidOperationException($"instance {spec.InstanceId}: the Nova driver needs the spec's flavor id");
        var server = new JsonObject
        {
            ["name"] = name,
            ["imageRef"] = await _servers.ImageIdAsync(_settings.ImageOf(spec.Datastore, spec.DatastoreVersion), ct),
            ["flavorRef"] = spec.FlavorId,
            ["networks"] = _settings.Networks.Count == 0
                ? "none"
                : new JsonArray(_settings.Networks.Select(n => (JsonNode)new JsonObject { ["uuid"] = n }).ToArray()),
            ["metadata"] = new JsonObject { [InstanceKey] = spec.InstanceId, [DatastoreKey] = spec.Datastore },
        };
        if (_settings.AvailabilityZone is { Length: > 0 } zone)
            server["availability_zone"] = zone;
        if (_settings.KeyName is { Length: > 0 } key)
            server["key_name"] = key;
        if (_settings.SecurityGroups.Count > 0)
            server["security_groups"] = new JsonArray(_settings.SecurityGroups.Select(g => (JsonNode)new JsonObject { ["name"] = g }).ToArray());
        if (_userData?.Invoke(spec) is { } userData)
            server["user_data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(userData));
        return server;
    }

    /// <summary>The volume (the journaled one, else the one named <paramref name="name"/>, else a new one) attached to the
    /// server, in use.</summary>
    private async Task AttachVolumeAsync(string name, string? knownVolumeId, string serverId, int sizeGb, IProgress<ServerStep>? steps,
        CancellationToken ct)
    {
        var volume = (knownVolumeId is null ? null : await _volumes.GetAsync(knownVolumeId, ct)) ?? await _volumes.FindByNameAsync(name, ct);
        var volumeId = volume?.Id ?? await _volumes.CreateAsync(name, sizeGb, ct);
        if (volumeId != knownVolumeId)
            steps?.Report(new ServerStep.VolumeMade(volumeId));
        if (volume?.AttachedTo.Contains(serverId) == true && volume.Status == "in-use")
            return;
        await _volumes.WaitAsync(volumeId, "available", v => v is { Status: "available" } || v?.AttachedTo.Contains(serverId) == true, ct);
        if (!(await _servers.AttachedVolumesAsync(serverId, ct)).Contains(volumeId))
            await _servers.AttachAsync(serverId, volumeId, ct);
        await _volumes.WaitAsync(volumeId, "in-use", v => v is { Status: "in-use" }, ct);
    }

    public async Task<Server?> GetServerAsync(string serverId, CancellationToken ct) =>
        await _servers.GetAsync(serverId, ct) is { } server ? ToServer(server) : null;

    /// <summary>The server's volume (detached and deleted first: a crash between the two leaves the server, which
    /// names the volume), then the server, asked again until Nova answers 404.</summary>
    public async Task DeleteServerAsync(string serverId, CancellationToken ct)
    {
        if (await _servers.GetAsync(serverId, ct) is not { } server)
            return;
        if (_settings.Volumes)
        {
            var named = await _volumes.FindByNameAsync(server.Name, ct);
            var attached = await _servers.AttachedVolumesAsync(serverId, ct);
            foreach (var volumeId in attached.Union(named is null ? [] : [named.Id]))
                await DeleteVolumeAsync(serverId, volumeId, attached.Contains(volumeId), ct);
        }
        await _servers.DeleteAsync(serverId, ct);
        await _servers.WaitGoneAsync(serverId, ct);
        _log.LogInformation("server {Server} ({Name}) deleted", serverId, server.Name);
    }

    private async Task DeleteVolumeAsync(string serverId, string volumeId, bool attached, CancellationToken ct)
    {
        if (attached)
        {
            await _servers.DetachAsync(serverId, volumeId, ct);
            await _volumes.WaitAsync(volumeId, "detached", v => v is null || v.Status == "available", ct);
        }
        await _volumes.DeleteAsync(volumeId, ct);
        await _volumes.WaitAsync(volumeId, "deleted", v => v is null, ct);
    }

    public async Task<IReadOnlyList<HostedServer>> ListServersAsync(CancellationToken ct) =>
        (await _servers.ListAsync($"^{NamePrefix}", ct)).Where(s => s.Name.StartsWith(NamePrefix, StringComparison.Ordinal))
        .Select(s => new HostedServer(s.Name[NamePrefix.Length..], ToServer(s))).ToList();

    /// <summary>A SHUTOFF server is started by a hard reboot (its guest starts with it).</summary>
    public async Task RecoverServerAsync(string serverId, CancellationToken ct)
    {
        if (await _servers.GetAsync(serverId, ct) is not { Status: "SHUTOFF", TaskState: null })
            return;
        _log.LogWarning("server {Server} is SHUTOFF; rebooting it", serverId);
        await _servers.ActionAsync(serverId, "reboot", new JsonObject { ["type"] = "HARD" }, ct);
        await _servers.WaitAsync(serverId, "ACTIVE after a hard reboot", s => s.IsSettledIn("ACTIVE"), ct);
    }

    /// <summary>Older releases never made cloud servers: there is nothing to adopt.</summary>
    public Task AdoptServerAsync(string serverId, GuestCredentials broker, Func<Task> disconnectOldGuest, CancellationToken ct) =>
        Task.CompletedTask;

    /// <summary>A soft reboot (a hard one for a server that is not running), until the server is ACTIVE again.</summary>
    public async Task RebootServerAsync(string serverId, CancellationToken ct)
    {
        var server = await _servers.RequireAsync(serverId, ct);
        if (server.TaskState is null)
            await _servers.ActionAsync(serverId, "reboot", new JsonObject { ["type"] = server.Status == "ACTIVE" ? "SOFT" : "HARD" }, ct);
        await _servers.WaitAsync(serverId, "ACTIVE after a reboot", s => s.IsSettledIn("ACTIVE"), ct);
    }

    /// <summary>Resize, wait for VERIFY_RESIZE, confirm, wait for ACTIVE; a server already waiting for its confirmation
    /// (a crash after the resize) is confirmed, one with the flavor already is left alone.</summary>
    public async Task ResizeServerAsync(string serverId, string flavorId, CancellationToken ct)
    {
        var server = await _servers.RequireAsync(serverId, ct);
        if (server.IsSettledIn("ACTIVE") && server.FlavorId == flavorId)
            return;
        if (server.Status != "VERIFY_RESIZE")
        {
            if (server.TaskState is null)
                await _servers.ActionAsync(serverId, "resize", new JsonObject { ["flavorRef"] = flavorId }, ct);
            await _servers.WaitAsync(serverId, "VERIFY_RESIZE", s => s.IsSettledIn("VERIFY_RESIZE"), ct,
                failed: s => s.IsSettledIn("ACTIVE") && s.FlavorId != flavorId ? s.Fault ?? $"Nova did not resize server {serverId} to flavor {flavorId}." : null);
        }
        await _servers.ActionAsync(serverId, "confirmResize", null, ct);
        await _servers.WaitAsync(serverId, "ACTIVE after confirming the resize", s => s.IsSettledIn("ACTIVE"), ct);
    }

    /// <summary>Extends the server's volume to <paramref name="sizeGb"/> while attached (Cinder 3.42); a cloud that
    /// refuses that gets it detached, extended and attached again (a volume a crash left detached is attached again).
    /// Without volumes (the flavor's disk) there is nothing to grow.</summary>
    public async Task ResizeVolumeAsync(string serverId, int sizeGb, CancellationToken ct)
    {
        if (!_settings.Volumes)
            return;
        var server = await _servers.RequireAsync(serverId, ct);
        var volume = await _volumes.FindByNameAsync(server.Name, ct) ?? throw new CloudFault(404, $"Server {serverId} has no volume {server.Name}.");
        if (volume.SizeGb < sizeGb)
        {
            try
            {
                await _volumes.ExtendAsync(volume.Id, sizeGb, ct);
            }
            catch (CloudFault refused) when (refused.StatusCode is 400 or 403 or 409 && volume.Status == "in-use")
            {
                _log.LogInformation("volume {Volume}: Cinder does not extend it attached ({Message}); detaching it first", volume.Id, refused.Message);
                await _servers.DetachAsync(serverId, volume.Id, ct);
                await _volumes.WaitAsync(volume.Id, "detached", v => v is { Status: "available" }, ct);
                await _volumes.ExtendAsync(volume.Id, sizeGb, ct);
            }
            volume = await _volumes.WaitAsync(volume.Id, "extended", v => v is { Status: "available" or "in-use" } && v.SizeGb >= sizeGb, ct);
        }
        if (!volume.AttachedTo.Contains(serverId))
            await AttachVolumeAsync(server.Name, volume.Id, serverId, sizeGb, null, ct);
    }

    /// <summary>Nova's flavors, which Trove serves as its own when this driver is active.</summary>
    public Task<IReadOnlyList<Flavor>> FlavorsAsync(CancellationToken ct) => _servers.FlavorsAsync(ct);

    private static Server ToServer(NovaServer server) => new(server.Id, server.TroveStatus, server.Address,
        server.Metadata.TryGetValue(DatastoreKey, out var datastore) && DatastoreProfiles.Find(datastore) is { } profile ? profile.Port : 0);
}
