using System.Diagnostics;
using Trove.Actors.Compute;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>A server's OS user goes with its server: what it still runs is killed first; what has ended is not waited on.</summary>
public sealed class ServerUsersTests
{
    [Fact]
    public async Task A_zombie_of_a_server_user_is_not_running_and_does_not_hold_up_the_user_s_removal()
    {
        var name = ServerUsers.NameOf(Guid.NewGuid().ToString());
        var (uid, gid) = await ServerUsers.EnsureAsync(name, Path.Combine(Path.GetTempPath(), name), CancellationToken.None);
        // The user's process ends at once; its parent (root's, as init is a guest's) never reaps it: a zombie of the user.
        using var parent = Process.Start("/bin/sh",
            ["-c", $"setpriv --reuid={uid} --regid={gid} --clear-groups -- true & exec sleep 60"])!;
        try
        {
            var zombie = await ZombieChildOfAsync(parent.Id);
            Assert.Equal(uid, OwnerOf(zombie));

            Assert.DoesNotContain(zombie, ServerUsers.ProcessesOf(uid));
            await ServerUsers.RemoveAsync(name, CancellationToken.None);
            Assert.Null(ServerUsers.IdsOf(name));
        }
        finally
        {
            Programs.Signal(parent.Id, "KILL");
            await ServerUsers.RemoveAsync(name, CancellationToken.None);
        }
    }

    private static async Task<int> ZombieChildOfAsync(int parent)
    {
        for (var tries = 0; tries < 200; tries++)
        {
            var children = File.ReadAllText($"/proc/{parent}/task/{parent}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var child in children.Select(int.Parse))
                if (File.ReadLines($"/proc/{child}/status").Any(l => l.StartsWith("State:\tZ", StringComparison.Ordinal)))
                    return child;
            await Task.Delay(50);
        }
        throw new TimeoutException($"process {parent} has no zombie child");
    }

    private static int OwnerOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);
}
