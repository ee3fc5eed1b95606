using Trove.Bench;

// Load generators and seeders for scripts/bench (bench/bench.py drives them); not part of a node.
return args switch
{
    ["seed", var dataDir, var count, var tenant] => await JournalSeeder.RunAsync(dataDir, int.Parse(count), tenant),
    ["heartbeats", var uri, var queue, var instances, var messages] => await HeartbeatLoad.PublishAsync(uri, queue, int.Parse(instances), int.Parse(messages)),
    ["drain-watch", var uri, var queue] => await HeartbeatLoad.WatchDrainAsync(uri, queue),
    ["raw-drain", var uri, var queue] => await HeartbeatLoad.RawDrainAsync(uri, queue),
    ["drop-queue", var uri, var queue] => await HeartbeatLoad.DropQueueAsync(uri, queue),
    ["micro", .. var rest] => MicroBenchmarks.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Trove.Bench seed DATA_DIR COUNT TENANT         instances written to the node's journal as its entities write them
               Trove.Bench heartbeats URI QUEUE INSTANCES N   N heartbeats for INSTANCES seeded instances, into QUEUE
               Trove.Bench drain-watch URI QUEUE              time from the first consumer to an empty QUEUE
               Trove.Bench raw-drain URI QUEUE                a bare consumer that only acknowledges, drains QUEUE
               Trove.Bench drop-queue URI QUEUE               deletes QUEUE
               Trove.Bench micro [BenchmarkDotNet args]        serializer, shard extractor and JSON view micro-benchmarks
        """);
    return 2;
}
