using System.CommandLine;
using Trove.Contracts.Admin;

namespace Trove.Admin;

/// <summary>
/// The command line of <c>trove-admin</c>. The token never goes on the command line (every local user can read that):
/// it comes from <c>--token-file</c>, else <see cref="AdminToken.EnvironmentVariable"/>, else <see cref="AdminToken.FileName"/>
/// in the node's data dir (TROVE_DATA_DIR, default .trove), where a node keeps the token it made.
/// </summary>
public static class AdminCommandLine
{
    public const string Usage = "usage: trove-admin [HOST:PORT] [--token-file PATH] [COMMAND...]";
    private const string DefaultEndpoint = "127.0.0.1:9110";

    private static readonly Option<FileInfo> TokenFile = new("--token-file")
    {
        Description = $"a file holding the admin token (else {AdminToken.EnvironmentVariable}, else {AdminToken.FileName} in TROVE_DATA_DIR)",
    };

    /// <summary>Recognised only to be refused with the reason, rather than taken for a command word.</summary>
    private static readonly Option<string> Token = new("--token") { Hidden = true };

    /// <summary>The node's command, after the endpoint when the first word is HOST:PORT.</summary>
    private static readonly Argument<string[]> Words = new("command")
    {
        Arity = ArgumentArity.ZeroOrMore,
        Description = "[HOST:PORT, default " + DefaultEndpoint + "] and the command ('help' lists them); none opens a prompt",
    };

    /// <summary>No @file expansion: the words go to the node as typed.</summary>
    public static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static readonly RootCommand Root = Build();

    private static RootCommand Build()
    {
        var root = new RootCommand("Shows and changes a Trove cluster through a node's admin endpoint.") { TokenFile, Token, Words };
        root.SetAction((result, ct) => RunAsync(result, ct));
        return root;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken ct)
    {
        if (result.GetResult(Token) is not null)
            return Fail(AdminExit.Usage,
                $"--token is not taken: a token on the command line is visible to every local user; use --token-file PATH or {AdminToken.EnvironmentVariable}\n{Usage}");

        string[] words = result.GetValue(Words) ?? [];
        var (endpoint, command) = words switch
        {
            [var first, .. var rest] when first.Contains(':') => (first, rest),
            _ => (DefaultEndpoint, words),
        };
        if (AdminEndpoint.Parse(endpoint) is not { } target)
            return Fail(AdminExit.Usage, $"'{endpoint}' is not HOST:PORT\n{Usage}");

        string? token;
        if (result.GetValue(TokenFile) is { } file)
        {
            try { token = AdminToken.Read(file.FullName); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail(AdminExit.Usage, $"cannot read the token file {file}: {e.Message}");
            }
        }
        else
            token = Environment.GetEnvironmentVariable(AdminToken.EnvironmentVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : DataDirToken();

        var session = new AdminSession(target, token);
        return command.Length > 0 ? await session.RunAsync(command, ct) : await session.PromptAsync(ct);
    }

    /// <summary>The token a node running on this data dir made; none when this user cannot read it (the endpoint then refuses).</summary>
    private static string? DataDirToken()
    {
        var dataDir = Environment.GetEnvironmentVariable("TROVE_DATA_DIR") is { Length: > 0 } dir ? dir : ".trove";
        try { return AdminToken.Read(Path.Combine(dataDir, AdminToken.FileName)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static int Fail(int exit, string message)
    {
        Console.Error.WriteLine(message);
        return exit;
    }
}
