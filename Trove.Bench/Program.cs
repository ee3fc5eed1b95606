using Trove.Bench;

// Load generators and seeders for scripts/bench (bench/bench.py drives them); not part of a node.
return args switch
{
    ["seed", var dataDir, var count, var tenant] => await JournalSeeder.RunAsync(dataDir, int.Parse(count), tenant),
    ["load", var uri, var queue, var instances, var messages] => await HeartbeatLoad.LoadAndDrainAsync(uri, queue, int.Parse(instances), int.Parse(messages), raw: false),
    ["load", var uri, var queue, var instances, var messages, "raw"] => await HeartbeatLoad.LoadAndDrainAsync(uri, queue, int.Parse(instances), int.Parse(messages), raw: true),
    ["fill", var uri, var queue, var instances, var messages] => await HeartbeatLoad.FillAsync(uri, queue, int.Parse(instances), int.Parse(messages)),
    ["phases", var uri, var queue, var instances, var messages] => await HeartbeatLoad.PhasesAsync(uri, queue, int.Parse(instances), int.Parse(messages)),
    ["backlog", var uri, var queue, var instances, var rounds, var interval] =>
        await HeartbeatLoad.BacklogAsync(uri, queue, int.Parse(instances), int.Parse(rounds), double.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)),
    ["drained", var uri, var queue] => await HeartbeatLoad.DrainedAsync(uri, queue),
    ["drop-queue", var uri, var queue] => await HeartbeatLoad.DropQueueAsync(uri, queue),
    ["micro", .. var rest] => MicroBenchmarks.Run(rest),
    ["api-load", var nodes, var user, var password, var stopFile, var maxCreates] => await ApiLoad.RunAsync(nodes, user, password, stopFile, int.Parse(maxCreates)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Trove.Bench seed DATA_DIR COUNT TENANT             instances written to the node's journal as its entities write them
               Trove.Bench load URI QUEUE INSTANCES N [raw]       N heartbeats of INSTANCES seeded instances, published while the
                                                                  node's conductor (or, with raw, a consumer that only acks) drains QUEUE
               Trove.Bench fill URI QUEUE INSTANCES N            N heartbeats published, returning once all are confirmed
               Trove.Bench phases URI QUEUE INSTANCES N          the same N heartbeats published with no consumer, then drained by
                                                                  the bare consumers with no publisher: the broker's halves apart
               Trove.Bench backlog URI QUEUE INSTANCES ROUNDS INTERVAL
                                                               ROUNDS heartbeats of each of INSTANCES seeded guests, INTERVAL s apart
                                                               up to now, queued with no consumer (a node that was stopped)
               Trove.Bench drained URI QUEUE                  waits until QUEUE holds nothing, ready or unacked
               Trove.Bench drop-queue URI QUEUE               deletes QUEUE
               Trove.Bench micro [BenchmarkDotNet args]        serializer, shard extractor and JSON view micro-benchmarks
               Trove.Bench api-load HOST:PORT,... USER PASSWORD STOP_FILE MAX_CREATES
                                                               a tenant's creates, shows, lists, renames and database creates,
                                                               round-robin over the nodes until STOP_FILE exists (rolling-restart)
        """);
    return 2;
}
