using Trove.Actors.Admin;

// trove-admin [HOST:PORT] [--token TOKEN] [COMMAND...]: runs one command on a node's admin endpoint and exits with
// its code, or, without a command, opens a prompt. The token may also come from TROVE_ADMIN_TOKEN.
var rest = args.ToList();
var endpoint = "127.0.0.1:9110";
if (rest.Count > 0 && rest[0].Contains(':'))
{
    endpoint = rest[0];
    rest.RemoveAt(0);
}
var token = Environment.GetEnvironmentVariable("TROVE_ADMIN_TOKEN");
var tokenAt = rest.IndexOf("--token");
if (tokenAt >= 0)
{
    if (tokenAt + 1 >= rest.Count)
        return Fail(AdminExit.Usage, "--token needs a value");
    token = rest[tokenAt + 1];
    rest.RemoveRange(tokenAt, 2);
}
var colon = endpoint.LastIndexOf(':');
if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
    return Fail(AdminExit.Usage, $"'{endpoint}' is not HOST:PORT\nusage: trove-admin [HOST:PORT] [--token TOKEN] [COMMAND...]");
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

static int Fail(int exit, string message)
{
    Console.Error.WriteLine(message);
    return exit;
}
