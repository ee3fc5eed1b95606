using System.Text;
using Akka.Actor;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary>One admin command: its words (<c>cluster show</c>), the arguments it takes, and what it does.</summary>
public sealed record AdminCommand(string Name, IReadOnlyList<string> Parameters, string Summary,
    Func<IReadOnlyList<string>, CancellationToken, Task<AdminResponse>> Run)
{
    public string Usage => Parameters.Count == 0 ? Name : $"{Name} {string.Join(' ', Parameters)}";
}

/// <summary>Finds the command a caller typed and runs it; <c>help</c> lists them all.</summary>
public sealed class AdminCommands
{
    /// <summary>How long a command waits for the cluster's answer.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<AdminCommand> _commands;

    public AdminCommands(IEnumerable<IAdminCommandSet> sets) =>
        _commands = sets.SelectMany(s => s.Commands).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    public string Help()
    {
        var text = new StringBuilder("commands:\n");
        var width = _commands.Max(c => c.Usage.Length);
        foreach (var command in _commands)
            text.Append("  ").Append(command.Usage.PadRight(width)).Append("  ").Append(command.Summary).Append('\n');
        return text.Append("  ").Append("help".PadRight(width)).Append("  this list\n").ToString();
    }

    public async Task<AdminResponse> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args.Count == 0 || args is ["help"])
            return AdminResponse.Ok(Help());
        var typed = string.Join(' ', args);
        var command = _commands
            .Where(c => typed == c.Name || typed.StartsWith(c.Name + " ", StringComparison.Ordinal))
            .MaxBy(c => c.Name.Length);
        if (command is null)
            return AdminResponse.Usage($"unknown command '{typed}'\n{Help()}");
        var arguments = args.Skip(command.Name.Split(' ').Length).ToList();
        if (arguments.Count != command.Parameters.Count)
            return AdminResponse.Usage($"usage: {command.Usage}");
        try
        {
            return await command.Run(arguments, ct);
        }
        catch (AskTimeoutException)
        {
            return AdminResponse.Failed($"{command.Name}: no answer within {AskTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return AdminResponse.Failed($"{command.Name}: {e.GetBaseException().Message}");
        }
    }
}

/// <summary>A group of admin commands about one concern (cluster, sharding, instances, AMQP).</summary>
public interface IAdminCommandSet
{
    IEnumerable<AdminCommand> Commands { get; }
}
