using System.CommandLine;
using Trove.Admin;
using Trove.Contracts.Admin;

// trove-admin [HOST:PORT] [--token-file PATH] [COMMAND...]: runs one command on a node's admin endpoint and exits with
// its code, or, without a command, opens a prompt. The commands are the node's ('help' lists them); this client parses
// the endpoint and the token options and sends the command's words.
var parsed = AdminCommandLine.Root.Parse(args, AdminCommandLine.Parsing);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine(string.Join('\n', parsed.Errors.Select(e => e.Message)) + "\n" + AdminCommandLine.Usage);
    return AdminExit.Usage;
}
return await parsed.InvokeAsync();
