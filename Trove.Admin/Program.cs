using Trove.Actors.Admin;
using Trove.Contracts.Admin;

// trove-admin [HOST:PORT] [--token-file PATH] [COMMAND...]: runs one command on a node's admin endpoint and exits with
// its code, or, without a command, opens a prompt. The token never goes on the command line (every local user can read
// that): it comes from --token-file, else TROVE_ADMIN_TOKEN, else admin.token in the node's data dir (TROVE_DATA_DIR,
// default .trove), where a node keeps the token it made.
const string Usage = "usage: trove-admin [HOST:PORT] [--token-file PATH] [COMMAND...]";
var rest = args.ToList();
var endpoint = "127.0.0.1:9110";
if (rest.Count > 0 && rest[0].Contains(':'))
{
    endpoint = rest[0];
    rest.RemoveAt(0);
}
if (rest.Contains("--token"))
    return Fail(AdminExit.Usage,
        $"--token is not taken: a token on the command line is visible to every local user; use --token-file PATH or {AdminToken.EnvironmentVariable}\n{Usage}");
string? token;
var fileAt = rest.IndexOf("--token-file");
if (fileAt >= 0)
{
    if (fileAt + 1 >= rest.Count)
        return Fail(AdminExit.Usage, $"--token-file needs a path\n{Usage}");
    var file = rest[fileAt + 1];
    rest.RemoveRange(fileAt, 2);
    try { token = AdminToken.Read(file); }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return Fail(AdminExit.Usage, $"cannot read the token file {file}: {e.Message}");
    }
}
else
    token = Environment.GetEnvironmentVariable(AdminToken.EnvironmentVariable) is { Length: > 0 } fromEnvironment
        ? fromEnvironment
        : DataDirToken();

var colon = endpoint.LastIndexOf(':');
if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
    return Fail(AdminExit.Usage, $"'{endpoint}' is not HOST:PORT\n{Usage}");
var host = endpoint[..colon];

if (rest.Count > 0)
    return await RunAsync(rest);

Console.WriteLine($"connected to {endpoint}; 'help' lists the commands, 'exit' leaves");
var last = AdminExit.Ok;
while (true)
{
    Console.Write($"trove-admin {endpoint}> ");
    var line = Console.ReadLine();
    if (line is null || line.Trim() is "exit" or "quit")
        return last;
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length > 0)
        last = await RunAsync(words);
}

async Task<int> RunAsync(IReadOnlyList<string> command)
{
    var response = await AdminClient.SendAsync(host, port, command, token);
    (response.Exit == AdminExit.Ok ? Console.Out : Console.Error).Write(response.Output.EndsWith('\n') ? response.Output : response.Output + "\n");
    return response.Exit;
}

// The token a node running on this data dir made; none when this user cannot read it (the endpoint then refuses).
static string? DataDirToken()
{
    var dataDir = Environment.GetEnvironmentVariable("TROVE_DATA_DIR") is { Length: > 0 } dir ? dir : ".trove";
    try { return AdminToken.Read(Path.Combine(dataDir, AdminToken.FileName)); }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
}

static int Fail(int exit, string message)
{
    Console.Error.WriteLine(message);
    return exit;
}
