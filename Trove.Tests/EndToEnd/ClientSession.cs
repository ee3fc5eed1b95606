using System.Diagnostics;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>One scenario script of the upstream client (Trove.Tests/EndToEnd/*.sh) against a node, through a warm client.</summary>
public static class ClientSession
{
    private static readonly TimeSpan SessionLimit = TimeSpan.FromMinutes(20);

    /// <summary>Null when the session succeeded, else what it printed.</summary>
    public static async Task<string?> RunAsync(Uri node, string script, Dictionary<string, string> environment, ClientZygote zygote)
    {
        var start = new ProcessStartInfo("/bin/bash", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", script)]);
        start.Environment["OS_AUTH_URL"] = new Uri(node, "v3").ToString();
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        // Debian's client runs on the system interpreter, whatever python3 comes first on PATH.
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment[ClientZygote.Variable] = zygote.Socket;
        // About 150 client commands and the polls of the waits: minutes, longer while the rest of the suite runs on the same
        // 2 cores.
        var ran = await Programs.RunAsync(start, SessionLimit);
        var session = $"{script} {string.Join(' ', environment.Values)}";
        if (ran.TimedOut)
            return $"{session}: still running after {SessionLimit.TotalMinutes} min\n{ran.Errors}\n{ran.Output}";
        return ran.ExitCode == 0 ? null : $"{session}: exit {ran.ExitCode}\n{ran.Errors}\n{ran.Output}";
    }
}
