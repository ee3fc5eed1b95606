using Trove.Actors.Hosting;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Trove.Actors.Instances;
using Trove.Actors.Serialization;
using Trove.Contracts.Guests;
using Trove.Actors.Sharding;

namespace Trove.Bench;

/// <summary>The hot inner pieces of a request and of a conductor report.</summary>
[MemoryDiagnoser]
public class MicroBenchmarks
{
    private ActorSystem _system = null!;
    private TroveSerializer _serializer = null!;
    private InstanceState _state = null!;
    private byte[] _stateBytes = null!;
    private byte[] _heartbeat = null!;
    private readonly InstanceMessageExtractor _extractor = new(EntityShards.Count);
    private readonly InstanceCommands.Get _get = new(SeededIds.Of(42), "demo");

    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromTypes([typeof(MicroBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args);
        return 0;
    }

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("micro");
        _serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        var at = DateTimeOffset.UtcNow;
        _state = InstanceState.Apply(null, new InstanceEvents.Created(SeededIds.Of(42), "demo", "pg1", "small", 512, 1, "postgresql", "15",
            [new DatabaseSpec("appdb")], ["app"], at)) with { Address = "127.0.0.1", Port = 5432, ServiceStatus = "healthy" };
        _stateBytes = _serializer.ToBinary(_state);
        _heartbeat = RpcMessage.Create(GuestMethods.Heartbeat, new HeartbeatArgs(SeededIds.Of(42), new HeartbeatPayload("healthy"), HeartbeatArgs.Now())).ToBytes();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark]
    public byte[] SerializeInstanceState() => _serializer.ToBinary(_state);

    [Benchmark]
    public object DeserializeInstanceState() => _serializer.FromBinary(_stateBytes, _serializer.Manifest(_state));

    [Benchmark]
    public string? ShardIdOfAGet() => _extractor.ShardId(_extractor.EntityId(_get)!, _get);

    [Benchmark]
    public HeartbeatArgs ParseAHeartbeat() => RpcMessage.Parse(_heartbeat).ArgsAs<HeartbeatArgs>();
}
