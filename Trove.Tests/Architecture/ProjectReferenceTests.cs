using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Trove.Actors.Compute;
using Trove.Admin;
using Trove.Contracts.Datastores;
using Trove.Guest.Agent;

namespace Trove.Tests.Architecture;

/// <summary>What the guest and the admin CLI share with the node is the contracts (and, for the guest, the broker
/// connector): neither drags in the node's actors, and the contracts stay free of Akka and ASP.NET.</summary>
public sealed class ProjectReferenceTests
{
    private static readonly Assembly Guest = typeof(GuestAgent).Assembly;
    private static readonly Assembly Admin = typeof(AdminCommandLine).Assembly;
    private static readonly Assembly Contracts = typeof(DatastoreProfile).Assembly;

    [Fact]
    public void The_guest_and_the_admin_cli_reach_trove_actors_neither_directly_nor_through_another_assembly()
    {
        Assert.DoesNotContain("Trove.Actors", Reached(Guest));
        Assert.DoesNotContain("Trove.Actors", Reached(Admin));
        Assert.Contains("Trove.Contracts", Reached(Guest)); // the walk does reach through references
    }

    [Fact]
    public void The_admin_cli_references_the_contracts_and_no_other_trove_assembly()
    {
        Assert.Equal(["Trove.Contracts"], Reached(Admin).Where(n => n.StartsWith("Trove.", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void The_contracts_reference_neither_akka_nor_asp_net()
    {
        var reached = Reached(Contracts);
        Assert.DoesNotContain(reached, n => n.StartsWith("Akka", StringComparison.Ordinal));
        Assert.DoesNotContain(reached, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(reached, n => n.StartsWith("Trove.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_guest_runs_on_the_base_framework_alone_and_ships_every_assembly_it_needs()
    {
        Assert.DoesNotContain(Reached(Guest), n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        var shipped = Path.Combine(AppContext.BaseDirectory, GuestAgentFiles.Folder);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, "Trove.Guest.runtimeconfig.json")))!["runtimeOptions"]!;
        var frameworks = config["frameworks"]?.AsArray().Select(f => (string)f!["name"]!).ToList() ?? [(string)config["framework"]!["name"]!];
        Assert.Equal(["Microsoft.NETCore.App"], frameworks);

        var missing = Reached(Guest, includeFramework: false).Where(n => !File.Exists(Path.Combine(shipped, n + ".dll"))).ToList();
        Assert.Empty(missing);
    }

    /// <summary>The guest is published Native AOT, where Akka.NET does not start: it consumes its queue with a plain loop
    /// (<see cref="Trove.Amqp.AmqpConsumer"/>), not an Akka stream. Trove.Amqp, which the node shares, still references
    /// Akka.Streams; the guest's publish leaves it out, as nothing the guest calls reaches it.</summary>
    [Fact]
    public void The_guest_itself_uses_nothing_of_Akka()
    {
        Assert.DoesNotContain(Guest.GetReferencedAssemblies(), n => n.Name!.StartsWith("Akka", StringComparison.Ordinal));
    }

    /// <summary>The names of every assembly <paramref name="root"/> references, directly or through another; the base
    /// framework's own references are not followed (it references nothing of ours).</summary>
    private static SortedSet<string> Reached(Assembly root, bool includeFramework = true)
    {
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                var referenced = Assembly.Load(name);
                // The base framework's, even when this test process loads a newer copy an app-local package brought
                // (System.Diagnostics.DiagnosticSource beside OpenTelemetry): the guest runs the framework's.
                var inFramework = referenced.Location.StartsWith(runtime, StringComparison.Ordinal)
                    || File.Exists(Path.Combine(runtime, name.Name + ".dll"));
                if ((includeFramework || !inFramework) && reached.Add(name.Name!) && !inFramework)
                    pending.Push(referenced);
            }
        return reached;
    }
}
