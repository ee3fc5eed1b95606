namespace Trove.Guest.Datastores;

/// <summary>
/// The OS user an engine runs as. A guest started by LocalCompute runs as its server's own OS user and runs its
/// engine as itself; a guest run as root (the manager tests) runs the engine as a system user through runuser, as
/// PostgreSQL and MariaDB refuse to run as root.
/// </summary>
public sealed record EngineUser(string Name, bool SwitchesFromRoot)
{
    /// <summary>Itself, or <paramref name="whenRoot"/> when this process is root.</summary>
    public static EngineUser For(string whenRoot) =>
        Environment.IsPrivilegedProcess ? new EngineUser(whenRoot, true) : new EngineUser(Environment.UserName, false);

    /// <summary>The command line that runs <paramref name="tool"/> as this user.</summary>
    public (string File, string[] Args) Command(string tool, IEnumerable<string> args) =>
        SwitchesFromRoot ? ("runuser", ["-u", Name, "--", tool, .. args]) : (tool, args.ToArray());

    public Task<ProcessRunner.Result> RunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (file, list) = Command(tool, args);
        return ProcessRunner.RunAsync(file, list, ct);
    }

    public Task<string> RunCheckedAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (file, list) = Command(tool, args);
        return ProcessRunner.RunCheckedAsync(file, list, ct);
    }

    public Task PipeAsync(string tool, IEnumerable<string> args, Stream? input, Stream? output, CancellationToken ct)
    {
        var (file, list) = Command(tool, args);
        return ProcessRunner.PipeAsync(file, list, input, output, ct);
    }

    /// <summary>Hands what root made to this user; what the user made itself is already its own.</summary>
    public async Task OwnAsync(string path, CancellationToken ct, bool recursive = false)
    {
        if (SwitchesFromRoot)
            await ProcessRunner.RunCheckedAsync("chown", recursive ? ["-R", Name, path] : [Name, path], ct);
    }

    /// <summary>Throws, naming the directory, unless this user can reach it (every directory above it searchable). Asked
    /// only of another user: this process's own user reaches what it has just made there itself.</summary>
    public async Task RequireReachableAsync(string directory, CancellationToken ct)
    {
        if (!SwitchesFromRoot)
            return;
        if ((await RunAsync("test", ["-x", directory], ct)).ExitCode != 0)
            throw new InvalidOperationException(
                $"the {Name} OS user cannot reach {directory}: every directory above it must be searchable by it");
    }
}
