using System.Text;
using Trove.Contracts.Guests;
using Trove.Guest.Datastores;

namespace Trove.Guest.Agent;

/// <summary>Upstream's guest log calls over the engine's logs: list them, turn the general log on or off, read one (the
/// control plane publishes what it reads). An unknown log is a <see cref="KeyNotFoundException"/> (the API's 404); the
/// error log cannot be turned off (an <see cref="ArgumentException"/>, the API's 400).</summary>
public sealed class GuestLogs(IDatastoreManager manager)
{
    public async Task<IReadOnlyList<GuestLogInfo>> ListAsync(CancellationToken ct) =>
        [await InfoAsync(GuestLogNames.Error, ct), await InfoAsync(GuestLogNames.General, ct)];

    public async Task<GuestLogInfo> SetAsync(GuestLogArgs args, CancellationToken ct)
    {
        Check(args.Name);
        if (args.Enable is { } enable)
        {
            if (args.Name != GuestLogNames.General)
                throw new ArgumentException($"Log '{args.Name}' is a {GuestLogNames.SysType} log: it is always written and cannot be {(enable ? "enabled" : "disabled")}.");
            await manager.SetGeneralLogAsync(enable, ct);
        }
        return await InfoAsync(args.Name, ct);
    }

    public async Task<GuestLogContents> ReadAsync(GuestLogArgs args, CancellationToken ct)
    {
        Check(args.Name);
        var text = Tail(string.Join('\n', Lines(args.Name)) is { Length: > 0 } all ? all + "\n" : "");
        // The size of what was read: a log the guest's own calls add to has grown since, which shows as pending.
        return new GuestLogContents(await InfoAsync(args.Name, ct) with { Size = Encoding.UTF8.GetByteCount(text) }, text);
    }

    private async Task<GuestLogInfo> InfoAsync(string name, CancellationToken ct) => name == GuestLogNames.General
        ? new GuestLogInfo(name, GuestLogNames.UserType, await manager.GeneralLogEnabledAsync(ct), Lines(name).Sum(l => (long)Encoding.UTF8.GetByteCount(l) + 1))
        : new GuestLogInfo(name, GuestLogNames.SysType, true, File.Exists(manager.ErrorLogFile) ? new FileInfo(manager.ErrorLogFile).Length : 0);

    private IEnumerable<string> Lines(string name) => name == GuestLogNames.General
        ? manager.GeneralLogLines()
        : File.Exists(manager.ErrorLogFile) ? File.ReadLines(manager.ErrorLogFile) : [];

    /// <summary>The end of a log longer than a publish carries, from a line's start.</summary>
    private static string Tail(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= GuestLogContents.MaxBytes)
            return text;
        var tail = text[^(GuestLogContents.MaxBytes / 4)..];
        return tail[(tail.IndexOf('\n') + 1)..];
    }

    private static void Check(string name)
    {
        if (!GuestLogNames.All.Contains(name))
            throw new KeyNotFoundException($"No log named '{name}': this datastore has {string.Join(", ", GuestLogNames.All)}.");
    }
}
