using Trove.Actors.Sharding;
using System.Runtime.CompilerServices;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Trove.Web.Endpoints;

namespace Trove.Tests.Architecture;

/// <summary>
/// Each endpoint parses, asks once, and renders: a handler of <c>Trove.Web.Endpoints</c> that reaches two asks (an Akka
/// <c>Ask</c>, directly or through the helpers it calls, async ones included) runs a workflow an entity should own, and
/// a timeout between the two leaves it half done. Read from the compiled handlers (Mono.Cecil), so a new handler is
/// checked without being listed; an ask in a loop counts once, so a loop of asks is not caught here.
/// </summary>
public sealed class EndpointAskTests
{
    private static readonly ModuleDefinition Web = ModuleDefinition.ReadModule(typeof(InstanceAsk).Assembly.Location);

    [Fact]
    public void No_endpoint_handler_asks_more_than_once()
    {
        var counts = new Dictionary<MethodDefinition, int>();
        var handlers = Web.GetTypes()
            .Where(t => t.Namespace == typeof(InstanceAsk).Namespace || t.DeclaringType?.Namespace == typeof(InstanceAsk).Namespace)
            .Where(t => !IsStateMachine(t))
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody || IsAsync(m) is not null);
        var twice = handlers
            .Select(m => (Name: NameOf(m), Asks: AsksOf(m, counts, [])))
            .Where(h => h.Asks > 1)
            .Select(h => $"{h.Name} ({h.Asks} asks)")
            .ToList();
        Assert.True(twice.Count == 0, "handlers asking more than once:\n" + string.Join('\n', twice));
    }

    /// <summary>The last workflow of issue #11 that ran in a handler: a restore asked the backup for its chain, then created.</summary>
    [Fact]
    public void A_create_with_a_restore_is_one_ask_of_the_instance_entity()
    {
        var create = Web.GetType(typeof(InstanceEndpoints).FullName).Methods.Single(m => m.Name == "Create");
        Assert.Equal(1, AsksOf(create, new Dictionary<MethodDefinition, int>(), []));
    }

    [Fact]
    public void The_walk_sees_an_ask_through_the_instance_helpers_and_inside_async_handlers()
    {
        var counts = new Dictionary<MethodDefinition, int>();
        var accepted = Web.GetType(typeof(InstanceAsk).FullName).Methods.Single(m => m.Name == nameof(InstanceAsk.AcceptedAsync));
        Assert.Equal(1, AsksOf(accepted, counts, []));
        var enableRoot = Web.GetType(typeof(RootEndpoints).FullName).Methods.Single(m => m.Name == nameof(RootEndpoints.EnableRoot));
        Assert.Equal(1, AsksOf(enableRoot, counts, []));
    }

    /// <summary>The asks a method reaches: its own calls of <c>Futures.Ask</c>, and those of the methods of this assembly
    /// it calls (an async method's are in its state machine's <c>MoveNext</c>).</summary>
    private static int AsksOf(MethodDefinition method, Dictionary<MethodDefinition, int> counts, HashSet<MethodDefinition> visiting)
    {
        if (counts.TryGetValue(method, out var known))
            return known;
        if (!visiting.Add(method))
            return 0;
        var body = IsAsync(method) ?? method;
        var asks = 0;
        foreach (var instruction in body.HasBody ? body.Body.Instructions : [])
        {
            if (instruction.OpCode.Code is not (Code.Call or Code.Callvirt) || instruction.Operand is not MethodReference callee)
                continue;
            if (callee.DeclaringType.FullName == "Akka.Actor.Futures" && callee.Name == "Ask"
                || callee.DeclaringType.FullName == typeof(EntityAsk).FullName && callee.Name == nameof(EntityAsk.AskEntityAsync))
                asks++;
            else if (callee.Module == Web && !SpeaksAnOlderRelease(callee.DeclaringType) && callee.Resolve() is { } local && local != method)
                asks += AsksOf(local, counts, visiting);
        }
        visiting.Remove(method);
        return counts[method] = asks;
    }

    /// <summary>While a node of the release before shares the cluster, the API speaks its protocol, whose workflows ran in
    /// that release's API (<see cref="Trove.Web.Compatibility.OlderReleaseProtocol"/>, checked by OlderReleaseProtocolTests).</summary>
    private static bool SpeaksAnOlderRelease(TypeReference type) =>
        (type.DeclaringType is { } outer ? SpeaksAnOlderRelease(outer) : type.Namespace == typeof(Trove.Web.Compatibility.OlderReleaseProtocol).Namespace);

    /// <summary>The state machine's <c>MoveNext</c> of an async method, or null.</summary>
    private static MethodDefinition? IsAsync(MethodDefinition method) =>
        method.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == typeof(AsyncStateMachineAttribute).FullName)
            is { } attribute && attribute.ConstructorArguments[0].Value is TypeReference machine
            ? machine.Resolve().Methods.Single(m => m.Name == "MoveNext")
            : null;

    private static bool IsStateMachine(TypeDefinition type) =>
        type.Interfaces.Any(i => i.InterfaceType.FullName == typeof(IAsyncStateMachine).FullName);

    private static string NameOf(MethodDefinition method) =>
        $"{(method.DeclaringType.DeclaringType ?? method.DeclaringType).Name}.{method.Name}";
}
