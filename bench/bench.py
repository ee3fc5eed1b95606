"""Drives scripts/bench: starts a node of its own on loopback, measures, and appends rows to bench/results.md."""
import http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_DLL = os.environ.get("TROVE_NODE_DLL") or sys.exit("run scripts/bench: it publishes the node and sets TROVE_NODE_DLL")
RESULTS = os.path.join(ROOT, "bench", "results.md")
PG_BIN = "/usr/lib/postgresql/15/bin"


def free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


BENCH_DLL = os.path.join(ROOT, "Trove.Bench", "bin", "Release", "net10.0", "Trove.Bench.dll")
def node_broker_uri():
    """The node's broker user, as the node finds it: TROVE_AMQP_URI, else the one scripts/bootstrap wrote."""
    try:
        with open("/etc/trove/amqp-uri") as f:
            return f.read().strip()
    except OSError:
        return "amqp://guest:guest@127.0.0.1:5672/"


AMQP = os.environ.get("TROVE_AMQP_URI") or node_broker_uri()


def forget_servers(servers_dir, conductor_queue):
    """What a node gives each server's guest outside its data dir, for the servers a benchmark left: the server's OS
    user, the guest's broker user and queue, and the node's conductor queue (deleting an instance removes its own)."""
    import base64, re, urllib.parse
    uri = urllib.parse.urlparse(AMQP)
    auth = base64.b64encode(f"{urllib.parse.unquote(uri.username or '')}:{urllib.parse.unquote(uri.password or '')}".encode()).decode()
    def delete(path):
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:15672/api/{path}", method="DELETE",
                                                          headers={"Authorization": f"Basic {auth}"}), timeout=10)
        except (urllib.error.URLError, OSError):
            pass  # gone already, or no management API: the leftover is the broker's to sweep
    servers = os.listdir(servers_dir) if os.path.isdir(servers_dir) else []
    for server in servers:
        subprocess.run(["userdel", "trove-" + re.sub(r"[^a-z0-9]", "", server.lower())[:25]], capture_output=True)
        delete(f"users/trove-guest-{server}")
        delete(f"queues/%2F/guestagent.{server}")
    delete(f"queues/%2F/{urllib.parse.quote(conductor_queue, safe='')}")
_seeded = {}


def seeded(count):
    """A data dir whose journal and read model hold `count` ACTIVE instances of tenant demo (made once per run)."""
    if count not in _seeded:
        d = tempfile.mkdtemp(prefix=f"trove-seed-{count}-", dir="/tmp"); os.chmod(d, 0o755)
        out = subprocess.run(["dotnet", BENCH_DLL, "seed", d, str(count), "demo"], capture_output=True, text=True, check=True).stdout
        print(out.strip().splitlines()[-1])
        _seeded[count] = d
    copy = tempfile.mkdtemp(prefix="trove-bench-", dir="/tmp"); os.chmod(copy, 0o755)
    for f in os.listdir(_seeded[count]):
        shutil.copy(os.path.join(_seeded[count], f), copy)
    return copy


def seeded_id(i):
    return f"00000000-0000-4000-8000-{i:012d}"


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


KEPT = set()  # the data dirs of failed benchmarks' nodes, for the reader
KEEP_ALL = os.environ.get("TROVE_BENCH_KEEP") == "1"  # keep every node's data dir (node.log, guests' logs, journal) to break a run down


class Node:
    def __init__(self, data_dir=None, dll=None, **settings):
        self.dir = data_dir or tempfile.mkdtemp(prefix="trove-bench-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.admin_port = free_port()
        self.queue = settings.pop("queue", f"trove-conductor-bench-{self.port}")
        env = dict(os.environ, TROVE_DATA_DIR=self.dir, TROVE_HTTP_PORT=str(self.port), Trove__RateLimitPerMinute="0",
                   Trove__Amqp__ConductorQueue=self.queue,
                   Trove__Admin__Port=str(self.admin_port), **settings)
        self._conns = threading.local()
        self.log = open(os.path.join(self.dir, "node.log"), "w")
        started = time.monotonic()
        self.proc = subprocess.Popen(["dotnet", dll or NODE_DLL], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2); break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a loaded machine's node may answer late
                time.sleep(0.02)
        self.startup = time.monotonic() - started
        self.startup_cpu = cpu_seconds(self.proc.pid)
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": "demo"}}},
                         "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
        req = urllib.request.Request(self.base + "/v3/auth/tokens", json.dumps(body).encode(), {"Content-Type": "application/json"})
        try:
            self.token = urllib.request.urlopen(req).headers["X-Subject-Token"]
        except BaseException:  # a node that did not start is not left running; its log is kept
            self.stop(keep=True)
            raise

    def call(self, method, path, body=None):
        """A GET goes over the calling thread's kept-alive connection, as a client's session sends its polls (one new
        connection per poll cost the node and this client each ~0.3 ms more CPU, beside the engines being measured);
        anything else over a connection of its own, so that a request is never sent twice."""
        if method == "GET":
            return self._get(path)
        req = urllib.request.Request(self.base + path, json.dumps(body).encode() if body else None,
                                     {"Content-Type": "application/json", "X-Auth-Token": self.token}, method=method)
        with urllib.request.urlopen(req) as r:
            data = r.read()
            return json.loads(data) if data else None

    def _get(self, path):
        for attempt in (1, 2):  # a kept connection the node has closed meanwhile is replaced once
            conn = getattr(self._conns, "conn", None) or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self._conns.conn = conn
            try:
                conn.request("GET", path, headers={"X-Auth-Token": self.token})
                r = conn.getresponse()
                data = r.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close(); self._conns.conn = None
                if attempt == 2:
                    raise
                continue
            if r.status >= 400:
                raise urllib.error.HTTPError(self.base + path, r.status, r.reason, r.headers, None)
            return json.loads(data) if data else None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        self.stop(keep=kind is not None)

    def stop(self, keep=False):
        """Stops the node and its guests; the data dir (node.log, each server's guest.log and engine data) is removed,
        or kept for the reader when the benchmark failed."""
        self.proc.terminate(); self.proc.wait(60)
        # Found by command line, not pid file: a server the pool was still building when the node stopped starts its guest
        # after, and a guest killed while it started its engine leaves the engine. Neither is in the next measurements.
        for what in (f"{self.dir}/guest-agent/", f"{self.dir}/servers/", f"{self.dir}/guest-agent/"):
            pids = self.processes(what)
            for pid in pids:
                try:
                    os.kill(pid, 15)
                except ProcessLookupError:
                    pass
            deadline = time.time() + 30  # the guests stop their engines
            while any(os.path.exists(f"/proc/{pid}") for pid in pids) and time.time() < deadline:
                time.sleep(0.1)
            if pids:  # what those processes were starting shows up in the next pass
                time.sleep(1)
        forget_servers(f"{self.dir}/servers", self.queue)
        if keep or KEEP_ALL:
            KEPT.add(self.dir)
            print(f"{'the benchmark failed: ' if keep else ''}its node's logs and data are kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def processes(path):
        """The pids of the processes whose command line names something under `path`."""
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if path in open(f"/proc/{pid}/cmdline").read().replace("\0", " "):
                    pids.append(int(pid))
            except OSError:
                pass
        return pids

    def wait_gone(self, ids, timeout=60):
        """Until every instance deleted is gone, its guest and engine stopped."""
        deadline = time.time() + timeout
        for iid in ids:
            while time.time() < deadline:
                try:
                    self.call("GET", f"/v1.0/demo/instances/{iid}")
                except urllib.error.HTTPError as e:
                    if e.code == 404:
                        break
                time.sleep(0.1)


def create_and_wait(node, datastore, version, name, poll=0.01):
    """POST, then GET until ACTIVE every `poll` seconds. One instance is watched tightly; a burst's twenty pollers at
    that rate would be ~2,000 GETs/s, a load of their own on the node and the cores the engines need."""
    body = {"instance": {"name": name, "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": datastore, "version": version},
                         "databases": [{"name": "appdb"}], "users": [{"name": "app", "password": "bench-pw-1", "databases": [{"name": "appdb"}]}]}}
    start = time.monotonic()
    instance = node.call("POST", "/v1.0/demo/instances", body)["instance"]
    while True:
        status = node.call("GET", f"/v1.0/demo/instances/{instance['id']}")["instance"]["status"]
        if status == "ACTIVE":
            return instance["id"], time.monotonic() - start
        if status == "ERROR":
            raise RuntimeError(f"instance {instance['id']} ERROR")
        time.sleep(poll)


def sh(cmd):
    subprocess.run(["bash", "-c", cmd], check=True, capture_output=True)


def pg_initdb(data_dir):
    return (f"runuser -u postgres -- {PG_BIN}/initdb -D {data_dir} -U postgres --auth-local=trust "
            f"--auth-host=scram-sha-256 -E UTF8 --no-sync >/dev/null")


def mariadb_install(data_dir):
    return f"mariadb-install-db --no-defaults --datadir={data_dir} --user=mysql --skip-test-db --skip-name-resolve >/dev/null 2>&1"


def mariadb_pristine(data_dir):
    """A pristine MariaDB data directory as the node makes its template: its redo log (96 MiB preallocated, a few KiB
    written) kept sparse, so that a copy writes only its records; each copy preallocates it again (mariadb_copied)."""
    log = f"{data_dir}/ib_logfile0"
    return f"{mariadb_install(data_dir)} && cp -a --sparse=always {log} {log}.sparse && mv {log}.sparse {log}"


def mariadb_copied(data_dir):
    log = f"{data_dir}/ib_logfile0"
    return f"fallocate -l $(stat -c %s {log}) {log}"


def limit_dir(prefix):
    """A directory for an engine made by hand, spread by ext4's inode allocator as the node's servers are (chattr +T on
    their parent, LocalCompute.SpreadSubdirectories): on ext4 without a journal, files made beside recently deleted ones
    cost up to ten times the CPU, and the limit would measure that instead of the engine."""
    parent = "/tmp/trove-bench-limits"
    os.makedirs(parent, exist_ok=True); os.chmod(parent, 0o755)
    subprocess.run(["chattr", "+T", parent], capture_output=True)
    d = tempfile.mkdtemp(prefix=prefix, dir=parent); os.chmod(d, 0o755)
    return d


def engine_limit(datastore, pristine=None, running=False):
    """The same engine initialised (or, given `pristine`, copied from that pristine data directory, as new servers
    are), started and given a database and a user by hand, to a first login: no control plane. `running`: only the
    database, user and login on the engine already started (what a warm pool's server has left to do)."""
    d = limit_dir("bl-"); port = free_port()
    start = time.monotonic()
    if datastore == "postgresql":
        init = f"cp -a {pristine} {d}/pg/data" if pristine else pg_initdb(f"{d}/pg/data")
        sh(f"mkdir {d}/pg && chown postgres {d}/pg && {init} && runuser -u postgres -- {PG_BIN}/pg_ctl -D {d}/pg/data -w -l {d}/pg/log "
           f"-o '-p {port} -k {d}/pg -c listen_addresses=127.0.0.1' start >/dev/null")
        started = time.monotonic()
        sh(f"psql -h {d}/pg -p {port} -U postgres -qc \"CREATE USER app PASSWORD 'bench-pw-1'\" -c 'CREATE DATABASE appdb OWNER app' && "
           f"PGPASSWORD=bench-pw-1 psql -h 127.0.0.1 -p {port} -U app appdb -qc 'select 1' >/dev/null")
        end = time.monotonic()
        sh(f"runuser -u postgres -- {PG_BIN}/pg_ctl -D {d}/pg/data -m immediate -w stop >/dev/null")
    else:
        init = f"cp -a {pristine} {d}/m/data && {mariadb_copied(f'{d}/m/data')}" if pristine else mariadb_install(f"{d}/m/data")
        sh(f"mkdir {d}/m && chown mysql {d}/m && {init} && (setsid -f mariadbd --no-defaults --user=mysql --datadir={d}/m/data --socket={d}/m/sock "
           f"--port={port} --bind-address=127.0.0.1 --pid-file={d}/m/pid --log-error={d}/m/err --skip-name-resolve --innodb-buffer-pool-size=32M) && "
           f"until mariadb-admin --no-defaults --socket={d}/m/sock -uroot ping >/dev/null 2>&1; do sleep 0.02; done")
        started = time.monotonic()
        sh(f"mariadb --no-defaults --socket={d}/m/sock -uroot -e \"CREATE DATABASE appdb; CREATE USER 'app'@'%' IDENTIFIED BY 'bench-pw-1'; GRANT ALL ON appdb.* TO 'app'@'%'\" && "
           f"mariadb --no-defaults -h 127.0.0.1 -P {port} -uapp -pbench-pw-1 appdb -e 'select 1' >/dev/null")
        end = time.monotonic()
        sh(f"mariadb-admin --no-defaults --socket={d}/m/sock -uroot shutdown")
    shutil.rmtree(d, ignore_errors=True)
    return end - (started if running else start)


def pool_ready(node, datastore, timeout=180, count=1):
    """Until the node's warm pool has `count` READY servers of the datastore, as `trove-admin pool list` shows them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        listed = subprocess.run([f"{ROOT}/scripts/trove-admin", f"127.0.0.1:{node.admin_port}", "--token-file", f"{node.dir}/admin.token",
                                 "pool", "list"], capture_output=True, text=True).stdout
        if sum(cols[1:2] == [datastore] and "READY" in cols for cols in (line.split() for line in listed.splitlines()[1:])) >= count:
            return
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {count} {datastore} pool servers READY within {timeout} s")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_to_active_pool(rows, runs=10):
    """POST to ACTIVE with a warm pool of one server per engine, refilled (and READY) before each create; the limit is
    the database, user and first login on an engine already started, by hand."""
    with Node(**{"Trove__Pool__Sizes__postgresql-15": "1", "Trove__Pool__Sizes__mariadb-10.11": "1", "Trove__Pool__RamMb": "512"}) as node:
        for datastore, version in (("postgresql", "15"), ("mariadb", "10.11")):
            ours, limits = [], []
            for i in range(runs):
                limits.append(engine_limit(datastore, running=True))
                pool_ready(node, datastore)
                iid, seconds = create_and_wait(node, datastore, version, f"bench-pool-{datastore}-{i}")
                ours.append(seconds)
                node.call("DELETE", f"/v1.0/demo/instances/{iid}")
                node.wait_gone([iid])
            p50, p95, limit_m = statistics.median(ours), percentile(ours, 95), statistics.median(limits)
            print(f"time-to-ACTIVE {datastore} with a pool: p50 {p50:.3f} s, p95 {p95:.3f} s over {runs}; on a started engine by hand {limit_m:.3f} s")
            rows.append((f"time-to-ACTIVE {datastore}, pool of 1 (p50 / p95 of {runs})", f"database and user on a started engine by hand {limit_m:.3f} s",
                         f"{p50:.3f} s / {p95:.3f} s", f"{p50 / limit_m:.2f}x", "p50 ≤ 0.3 s, p95 ≤ 0.5 s"))


def time_to_active(rows, runs=10):
    pristine = limit_dir("bl-pristine-")
    templates = {"postgresql": pristine + "/data", "mariadb": pristine + "/mariadb"}
    sh(f"chown postgres {pristine} && {pg_initdb(templates['postgresql'])} && {mariadb_pristine(templates['mariadb'])}")
    with Node() as node:
        for datastore, version in (("postgresql", "15"), ("mariadb", "10.11")):
            ours, limits, copies = [], [], []
            for i in range(runs):
                limits.append(engine_limit(datastore))
                copies.append(engine_limit(datastore, templates[datastore]))
                iid, seconds = create_and_wait(node, datastore, version, f"bench-{datastore}-{i}")
                ours.append(seconds)
                node.call("DELETE", f"/v1.0/demo/instances/{iid}")
                node.wait_gone([iid])  # its engine stopping is not part of the next measurement
            ours_m, limit_m = statistics.median(ours), statistics.median(limits)
            print(f"time-to-ACTIVE {datastore}: median {ours_m:.3f} s over {runs}, engine by hand {limit_m:.3f} s, ratio {ours_m / limit_m:.2f}")
            rows.append((f"time-to-ACTIVE {datastore} (median of {runs})", f"initialised and started by hand {limit_m:.3f} s",
                         f"{ours_m:.3f} s", f"{ours_m / limit_m:.2f}x", "≤ 1.0x"))
            copy_m = statistics.median(copies)
            print(f"time-to-ACTIVE {datastore}: pristine copy started by hand {copy_m:.3f} s, ratio {ours_m / copy_m:.2f}")
            rows.append((f"time-to-ACTIVE {datastore}, pool empty (median of {runs})", f"pristine data copied and started by hand {copy_m:.3f} s",
                         f"{ours_m:.3f} s", f"{ours_m / copy_m:.2f}x", "≤ 1.0x"))
    shutil.rmtree(pristine, ignore_errors=True)
    time_to_active_pool(rows, runs)


def wrk(node, path, seconds=10):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"X-Auth-Token: {node.token}", node.base + path],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return rps, lat.get("50"), lat.get("99")


def api_read(rows, instances=100, label_suffix=""):
    """wrk against show and list on a node whose tenant has `instances` instances (seeded in its journal)."""
    with Node(seeded(instances)) as node:
        ceiling, p50c, p99c = wrk(node, "/")
        for label, path, target in ((f"GET /instances/{{id}}{label_suffix}", f"/v1.0/demo/instances/{seeded_id(7)}", 15000),
                                    (f"GET /instances ({instances} instances, page of 20){label_suffix}", "/v1.0/demo/instances", 5000)):
            rps, p50, p99 = wrk(node, path)
            print(f"{label}: {rps:.0f} req/s (p50 {p50}, p99 {p99}); GET / ceiling {ceiling:.0f} req/s; ratio {rps / ceiling:.2f}")
            rows.append((f"{label}, wrk -t2 -c32", f"GET / {ceiling:.0f} req/s (p99 {p99c})", f"{rps:.0f} req/s (p50 {p50}, p99 {p99})",
                         f"{rps / ceiling:.2f} of ceiling", f"≥ {target} req/s, p99 < 10 ms"))


def concurrent_creates(node, count, prefix, poll):
    """`count` PostgreSQL creates at once, each watched until ACTIVE: their (id, seconds), the time until all were, the slowest."""
    from concurrent.futures import ThreadPoolExecutor
    start = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(lambda i: create_and_wait(node, "postgresql", "15", f"{prefix}-{i}", poll=poll), range(count)))
    return results, time.monotonic() - start, max(s for _, s in results)


def burst(rows, count=20):
    """`count` concurrent PostgreSQL creates until all are ACTIVE, next to count x the engine's own start-up / cores."""
    limit_one = statistics.median(engine_limit("postgresql") for _ in range(3))
    limit = count * limit_one / os.cpu_count()
    with Node(Trove__Quotas__Instances=str(count * 2), Trove__Quotas__Volumes=str(count * 4)) as node:
        results, total, slowest = concurrent_creates(node, count, "burst", poll=0.1)
        for iid, _ in results:
            node.call("DELETE", f"/v1.0/demo/instances/{iid}")
        node.wait_gone([iid for iid, _ in results])
        print(f"burst of {count}: all ACTIVE in {total:.2f} s (slowest {slowest:.2f} s); limit {count} x {limit_one:.2f} s / {os.cpu_count()} cores = {limit:.2f} s; ratio {total / limit:.2f}")
        rows.append((f"burst: {count} concurrent PostgreSQL creates to all ACTIVE", f"{count} x {limit_one:.2f} s / {os.cpu_count()} cores = {limit:.2f} s",
                     f"{total:.2f} s", f"{total / limit:.2f}x", "≤ 1.2x"))


def burst_pool(rows, count=20):
    """`count` concurrent PostgreSQL creates, each taking a server of a warm pool of `count` (all READY first), until all
    are ACTIVE; the limit is `count` x the database, user and login on a started engine by hand / cores."""
    limit_one = statistics.median(engine_limit("postgresql", running=True) for _ in range(3))
    limit = count * limit_one / os.cpu_count()
    with Node(**{"Trove__Pool__Sizes__postgresql-15": str(count), "Trove__Pool__RamMb": "512",
                 "Trove__Quotas__Instances": str(count * 2), "Trove__Quotas__Volumes": str(count * 4)}) as node:
        pool_ready(node, "postgresql", timeout=900, count=count)
        time.sleep(5)  # the last servers' engines settle (their spare databases made)
        _, total, slowest = concurrent_creates(node, count, "burst-pool", poll=0.05)
        print(f"burst of {count} with a pool of {count}: all ACTIVE in {total:.2f} s (slowest {slowest:.2f} s); limit {count} x {limit_one:.3f} s / "
              f"{os.cpu_count()} cores = {limit:.2f} s")
        rows.append((f"burst: {count} concurrent PostgreSQL creates with a pool of {count}, to all ACTIVE",
                     f"{count} x {limit_one:.3f} s (database and user on a started engine) / {os.cpu_count()} cores = {limit:.2f} s",
                     f"{total:.2f} s", f"{total / limit:.2f}x", "≤ 2 s"))


def bench_tool(*args):
    lines = subprocess.run(["dotnet", BENCH_DLL, *args], capture_output=True, text=True, check=True).stdout.strip().splitlines()
    return lines[-1] if lines else ""


def rate_of(line, what="drained"):
    return float(re.search(what + r"[^:]*: ([\d.]+) msg/s" if what == "drained" else what + r" at ([\d.]+) msg/s", line).group(1))


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def conductor(rows, instances=10000, messages=100000):
    """Heartbeats of `instances` instances published as fast as the broker confirms them (4 channels) while a node's
    conductor drains them (each acked after its entity handled it), next to RabbitMQ's own limit in the same run: bare
    consumers that only ack (4 channels, prefetch 2000, acks in batches), on the same queue, broker and machine. The
    node's entities are woken first (one heartbeat each), as a node whose instances all heartbeat keeps them: the
    wake-up rate is reported apart. The CPU that the broker and the node used while ours ran says what bounds it. The
    broker's two halves are measured apart too (the same heartbeats published with no consumer, then drained with no
    publisher): on one queue, a heartbeat published while drained costs the broker both."""
    queue = f"trove-bench-conductor-{os.getpid()}"
    data_dir = seeded(instances)
    broker = int(subprocess.run(["pgrep", "-o", "-x", "beam.smp"], capture_output=True, text=True).stdout.split()[0])
    try:
        before = (cpu_seconds(broker), time.monotonic())
        raw_line = bench_tool("load", AMQP, queue, str(instances), str(messages), "raw")
        raw_broker = (cpu_seconds(broker) - before[0]) / (time.monotonic() - before[1])
        before = (cpu_seconds(broker), time.monotonic())
        phases_line = bench_tool("phases", AMQP, queue, str(instances), str(messages))
        phases_broker = (cpu_seconds(broker) - before[0]) / (time.monotonic() - before[1])
        # The load goes round the instances: while the entities wake, the first ones woken hear nothing for longer than
        # the default expiry (30 s), and each would journal the expiry and then its next heartbeat, which a node whose
        # guests heartbeat every few seconds never does. The expiry is not what is measured here.
        with Node(data_dir, queue=queue, Trove__Instances__HeartbeatExpiry="00:10:00") as node:
            wake = rate_of(bench_tool("load", AMQP, queue, str(instances), str(instances)))
            time.sleep(2)  # "drained" is the queue's ready count at 0: the last wake-ups in the conductor's hands finish
            cpu = (cpu_seconds(broker), cpu_seconds(node.proc.pid), time.monotonic())
            ours_line = bench_tool("load", AMQP, queue, str(instances), str(messages))
            broker_cpu, node_cpu, wall = (b - a for a, b in zip(cpu, (cpu_seconds(broker), cpu_seconds(node.proc.pid), time.monotonic())))
            # The drain alone: the node paused (SIGSTOP; well within its broker heartbeat timeout) while the queue fills,
            # then resumed and timed to the queue's ready count at 0, as the raw drain alone is.
            time.sleep(2)
            os.kill(node.proc.pid, signal.SIGSTOP)
            try:
                fill_line = bench_tool("fill", AMQP, queue, str(instances), str(messages))
            finally:
                alone = (cpu_seconds(broker), cpu_seconds(node.proc.pid), time.monotonic())
                resumed = time.time()
                os.kill(node.proc.pid, signal.SIGCONT)
            drained_at = float(re.search(r"at ([\d.]+) \(unix time\)", bench_tool("drained", AMQP, queue)).group(1))
            alone_broker, alone_node, alone_wall = (b - a for a, b in zip(alone, (cpu_seconds(broker), cpu_seconds(node.proc.pid), time.monotonic())))
            alone_rate = messages / (drained_at - resumed)
    finally:
        bench_tool("drop-queue", AMQP, queue)
    raw, ours = rate_of(raw_line), rate_of(ours_line)
    client = lambda line: float(re.search(r"used ([\d.]+) cores", line).group(1))
    raw_published, ours_published = rate_of(raw_line, "published"), rate_of(ours_line, "published")
    alone_published, alone_drained = rate_of(phases_line, "published alone"), rate_of(phases_line)
    load = os.getloadavg()[0]
    print(f"conductor: {ours:.0f} msg/s absorbed ({messages} heartbeats of {instances} active instances, published at {ours_published:.0f}/s), "
          f"raw consumer {raw:.0f} msg/s (published at {raw_published:.0f}/s); ratio {ours / raw:.2f}; waking the {instances} entities: {wake:.0f}/s; "
          f"raw: broker {raw_broker:.2f} cores, bench client {client(raw_line):.2f}; "
          f"the broker alone: publishing {alone_published:.0f}/s, draining {alone_drained:.0f}/s (broker {phases_broker:.2f} cores); "
          f"ours ({wall:.1f} s): broker {broker_cpu / wall:.2f} cores, node {node_cpu / wall:.2f} ({node_cpu / messages * 1e6:.0f} µs a report), "
          f"bench client {client(ours_line):.2f}; load average {load:.1f}")
    ours_alone = alone_rate  # to the moment the queue was seen drained; the CPU figures run to the probe's exit
    print(f"conductor, the drain alone (node paused while {fill_line}): {ours_alone:.0f} msg/s against the broker's {alone_drained:.0f}; "
          f"broker {alone_broker / alone_wall:.2f} cores, node {alone_node / alone_wall:.2f} ({alone_node / messages * 1e6:.0f} µs a report)")
    rows.append((f"conductor: {messages} heartbeats of {instances} instances (entities awake), published while drained",
                 f"raw consumers {raw:.0f} msg/s (published at {raw_published:.0f}/s; broker {raw_broker:.2f} cores, bench client {client(raw_line):.2f}); "
                 f"the broker's halves apart: publishing alone {alone_published:.0f}/s, draining alone {alone_drained:.0f}/s (broker {phases_broker:.2f} cores)",
                 f"{ours:.0f} msg/s (published at {ours_published:.0f}/s; broker {broker_cpu / wall:.2f} cores, "
                 f"node {node_cpu / wall:.2f} ({node_cpu / messages * 1e6:.0f} µs a report), "
                 f"bench client {client(ours_line):.2f}; "
                 f"waking the entities: {wake:.0f}/s; load average {load:.1f})",
                 f"{ours / raw:.2f} of raw", "≥ 0.8 of raw and ≥ 20000 msg/s"))
    rows.append((f"conductor, the drain alone: {messages} heartbeats of {instances} instances queued while the node was paused, then drained",
                 f"raw consumers draining alone {alone_drained:.0f} msg/s (the same run, before the node)",
                 f"{ours_alone:.0f} msg/s (from the node's resume to the queue's ready count at 0; broker {alone_broker / alone_wall:.2f} cores, "
                 f"node {alone_node / alone_wall:.2f} ({alone_node / messages * 1e6:.0f} µs a report); load average {os.getloadavg()[0]:.1f})",
                 f"{ours_alone / alone_drained:.2f} of raw", "≥ 0.8 of raw and ≥ 20000 msg/s"))


def guests_lost(data_dir):
    """FailedTimeoutGuestAgent ("guestagent error") statuses the node's instances have journaled."""
    import sqlite3
    with sqlite3.connect(f"file:{os.path.join(data_dir, 'akka.db')}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT count(*) FROM journal WHERE manifest = 'instance.service-status-changed.v1' "
                          "AND instr(CAST(message AS TEXT), 'guestagent error') > 0").fetchone()[0]


def conductor_backlog(rows, instances=10000, rounds=10, interval=5, expiry=10):
    """A node started on the reports queued while it was stopped: `rounds` heartbeats of each of `instances` guests, one
    every `interval` s up to now, drained by the node started next with a heartbeat expiry of `expiry` s. Every guest
    sent on time, so none may be lost while the backlog drains, however long that takes (waking the entities is the
    slow part); once it is drained the guests say nothing more, and each must then be lost within about the expiry."""
    queue = f"trove-bench-backlog-{os.getpid()}"
    data_dir = seeded(instances)
    messages = instances * rounds
    # The seeded instances last heard of their guests when they were seeded: a heartbeat sent before that is stale and
    # dropped (it says nothing new), so the backlog's first round is sent after it.
    time.sleep(rounds * interval + 1)
    try:
        print(bench_tool("backlog", AMQP, queue, str(instances), str(rounds), str(interval)))
        started = time.monotonic()
        with Node(data_dir, queue=queue, Trove__Instances__HeartbeatExpiry=f"00:00:{expiry:02d}") as node:
            bench_tool("drained", AMQP, queue)
            took = time.monotonic() - started
            time.sleep(2)  # the last reports in the conductor's hands (its prefetch) are handled
            during = guests_lost(data_dir)
            time.sleep(expiry + 15)
            after = guests_lost(data_dir)
            load = os.getloadavg()[0]
    finally:
        bench_tool("drop-queue", AMQP, queue)
    print(f"conductor backlog: {messages} heartbeats drained in {took:.1f} s from the node's start ({messages / took:.0f} msg/s); "
          f"guests lost while draining: {during}; {expiry + 15} s later: {after} of {instances}; load average {load:.1f}")
    rows.append((f"conductor after a stop: {messages} queued heartbeats of {instances} guests (one each {interval} s for {rounds * interval} s), "
                 f"expiry {expiry} s, drained by the node started on them",
                 f"no guest lost while draining; all {instances} lost once silent for the expiry",
                 f"drained in {took:.1f} s from the node's start ({messages / took:.0f} msg/s); lost while draining: {during}; "
                 f"{expiry + 15} s after: {after}; load average {load:.1f}",
                 f"{during} / {after} of {instances}", "0 / all"))


def cold_gets(node, count, sample):
    """GETs of passivated instances on one kept-alive connection (so a new TCP connection is not counted), after a
    warm-up that has every shard allocated (first use of a shard costs ~150 ms of coordination, a one-off per shard,
    not per instance); then the same GETs again, warm, as the floor of the same run."""
    import random, http.client
    ids = random.sample(range(count), min(count, 300 + sample))
    connection = http.client.HTTPConnection("127.0.0.1", node.port)

    def timed_get(i):
        start = time.perf_counter()
        connection.request("GET", f"/v1.0/demo/instances/{seeded_id(i)}", headers={"X-Auth-Token": node.token})
        response = connection.getresponse(); response.read()
        assert response.status == 200, response.status
        return (time.perf_counter() - start) * 1000

    for i in ids[:300]:
        timed_get(i)
    cold = sorted(timed_get(i) for i in ids[300:])
    warm = sorted(timed_get(i) for i in ids[300:])
    connection.close()
    pct = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))]
    return pct(cold, 0.5), pct(cold, 0.99), pct(warm, 0.5)


def startup(rows, count=6):
    """An empty node, `count` times on a fresh data dir: from the process's start to `GET /` answering (wall and the
    process's CPU), its memory and CPU 3 s later (Akka's cluster start, the singletons, the projections go on beside
    the first answer), and the SIGTERM to its exit, which every test's node also pays. Medians, with the best start."""
    runs = [startup_once() for _ in range(count)]
    med = lambda i: statistics.median(r[i] for r in runs)
    best = min(r[0] for r in runs)
    print(f"empty node, {count} runs: start-up {med(0):.2f} s (best {best:.2f} s), {med(1):.2f} CPU-s at the answer, "
          f"{med(2):.2f} CPU-s and {med(3):.0f} MB 3 s later; stop {med(4):.2f} s")
    rows.append((f"empty node: start-up to `GET /` (best) / CPU-s at the answer / CPU-s, RSS 3 s later / stop on SIGTERM, median of {count}", "-",
                 f"{med(0):.2f} s ({best:.2f} s) / {med(1):.2f} / {med(2):.2f}, {med(3):.0f} MB / {med(4):.2f} s",
                 f"{med(0) / 2:.2f}x of 2 s", "≤ 2 s, ≤ 300 MB (at 100k instances)"))


def startup_once(dll=None):
    """One empty node of `dll` (default: the published one): start-up, CPU at the answer, CPU and RSS 3 s later, stop."""
    node = Node(dll=dll)
    time.sleep(3)
    later_cpu, later_mb = cpu_seconds(node.proc.pid), rss_mb(node.proc.pid)
    stopping = time.monotonic()
    node.proc.terminate(); node.proc.wait(60)
    stop = time.monotonic() - stopping
    node.stop()
    return node.startup, node.startup_cpu, later_cpu, later_mb, stop


def scale(rows, sizes=(1000, 10000, 100000), activate=2000):
    """Per size: node start-up, memory with every instance passivated and then with `activate` of them active, cold GET
    of a passivated instance (recovery from the journal), and show/list throughput next to `GET /` on the same node in
    the same run: the issue's targets are ratios of it, flat across sizes."""
    from concurrent.futures import ThreadPoolExecutor
    empty = Node(); time.sleep(3); empty_mb = rss_mb(empty.proc.pid); empty_start = empty.startup; empty.stop()
    print(f"empty node: start-up {empty_start:.2f} s, {empty_mb:.0f} MB")
    for n in sizes:
        # The seeded instances have no guests: each one a GET wakes would report its guest lost 30 s later (a journal
        # write and a row write per instance, thousands during the wrk runs, each dropping the tenant's cached pages).
        with Node(seeded(n), Trove__Instances__HeartbeatExpiry="01:00:00") as node:
            time.sleep(3)
            passivated = rss_mb(node.proc.pid)
            p50, p99, warm50 = cold_gets(node, n, min(500, n - 300))
            active_count = min(n, activate)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda i: node.call("GET", f"/v1.0/demo/instances/{seeded_id(i)}"), range(active_count)))
            active = rss_mb(node.proc.pid)
            # A node's first seconds under load run code its tiering has not optimised yet: GET / alone was 6k req/s
            # in its first 5 s and 25k once warm (2026-12-07). The reads are measured warm, as a node serving for a while is.
            for path in ("/", f"/v1.0/demo/instances/{seeded_id(3)}", "/v1.0/demo/instances") * 2:
                wrk(node, path, 5)
            ceiling, _, ceiling99 = wrk(node, "/", 5)
            show, _, show99 = wrk(node, f"/v1.0/demo/instances/{seeded_id(3)}", 5)
            lst, _, lst99 = wrk(node, "/v1.0/demo/instances", 5)
        print(f"{n} instances: start-up {node.startup:.2f} s; {passivated:.0f} MB passivated ({passivated - empty_mb:+.0f} MB), {active:.0f} MB with {active_count} active; "
              f"cold GET p50 {p50:.2f} ms p99 {p99:.2f} ms (warm p50 {warm50:.2f} ms); GET / {ceiling:.0f} req/s (p99 {ceiling99}); "
              f"show {show:.0f} req/s (p99 {show99}, {show / ceiling:.2f} of GET /); list {lst:.0f} req/s (p99 {lst99}, {lst / ceiling:.2f} of GET /)")
        rows.append((f"scale {n} instances: start-up / memory passivated / with {active_count} active (wrk 5 s)",
                     f"empty node: {empty_start:.2f} s, {empty_mb:.0f} MB",
                     f"{node.startup:.2f} s / {passivated:.0f} MB / {active:.0f} MB", f"{passivated - empty_mb:+.0f} MB passivated",
                     "passivated within 100 MB of empty"))
        rows.append((f"scale {n} instances: cold GET of a passivated instance p50, p99", f"warm GET p50 {warm50:.2f} ms",
                     f"{p50:.2f} ms, {p99:.2f} ms", f"p50 {p50 / 2:.2f}x of 2 ms", "p50 < 2 ms"))
        rows.append((f"scale {n} instances: show / list of 20 (wrk -t2 -c32 5 s)", f"GET / {ceiling:.0f} req/s (p99 {ceiling99})",
                     f"{show:.0f} req/s (p99 {show99}) / {lst:.0f} req/s (p99 {lst99})", f"{show / ceiling:.2f} / {lst / ceiling:.2f} of GET /",
                     "≥ 0.6 / ≥ 0.3 of GET /, p99 < 10 ms"))


def micro(rows):
    out = subprocess.run(["dotnet", BENCH_DLL, "micro", "--filter", "*", "--job", "short", "--inProcess", "--artifacts", "/tmp/trove-bdn"],
                         capture_output=True, text=True, check=True, cwd="/tmp").stdout
    for line in out.splitlines():
        m = re.match(r"\|\s*(\w+)\s*\|\s*([\d.,]+ \w+)\s*\|.*\|\s*([\d.,]+ \w+|-)\s*\|\s*$", line)
        if m and m.group(1) != "Method":
            print(f"micro {m.group(1)}: {m.group(2)}, allocated {m.group(3)}")
            rows.append((f"micro: {m.group(1)} (BenchmarkDotNet, short job)", "-", f"{m.group(2)}, allocated {m.group(3)}", "-", "-"))


BENCHMARKS = {"time-to-active": time_to_active, "time-to-active-pool": time_to_active_pool, "burst": burst, "burst-pool": burst_pool, "api-read": api_read, "conductor": conductor,
              "conductor-backlog": conductor_backlog,
              "scale": scale, "startup": startup, "micro": micro}


def main():
    names = sys.argv[1:] or [n for n in BENCHMARKS if n != "time-to-active-pool"]  # time-to-active runs the pool's rows too
    unknown = [n for n in names if n.split(":")[0] not in BENCHMARKS or (":" in n and not re.fullmatch(r"scale:\d+(,\d+)*", n))]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    rows, started = [], time.monotonic()
    try:
        for name in names:
            try:
                if ":" in name:  # scale:100000 (or scale:1000,10000): those sizes only
                    scale(rows, sizes=tuple(int(n) for n in name.split(":")[1].split(",")))
                else:
                    BENCHMARKS[name](rows)
            except Exception as e:  # one broken benchmark does not lose the others' figures
                print(f"{name} failed: {e!r}")
                rows.append((f"{name}", "-", f"failed: {e!r}"[:200], "-", "-"))
    finally:
        for d in set(_seeded.values()) - KEPT:
            shutil.rmtree(d, ignore_errors=True)
    print(f"benchmarks took {time.monotonic() - started:.0f} s")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    with open(RESULTS, "a") as f:
        f.write(f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — commit {commit}, {os.cpu_count()} cores, {mem} GiB\n")
        f.write(f"`scripts/bench {' '.join(sys.argv[1:])}`\n\n| benchmark | limit (same run) | ours | ratio | target |\n|---|---|---|---|---|\n")
        for row in rows:
            f.write("| " + " | ".join(row) + " |\n")
    print(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
