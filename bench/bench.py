"""Drives scripts/bench: starts a node of its own on loopback, measures, and appends rows to bench/results.md."""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request, urllib.error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_DLL = os.path.join(ROOT, "Trove.Web", "bin", "Release", "net10.0", "Trove.Web.dll")
RESULTS = os.path.join(ROOT, "bench", "results.md")
PG_BIN = "/usr/lib/postgresql/15/bin"


def free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class Node:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="trove-bench-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        env = dict(os.environ, TROVE_DATA_DIR=self.dir, TROVE_HTTP_PORT=str(self.port), Trove__RateLimitPerMinute="0",
                   Trove__Amqp__ConductorQueue=f"trove-conductor-bench-{self.port}", Trove__GuestHeartbeatIntervalSeconds="1")
        self.log = open(os.path.join(self.dir, "node.log"), "w")
        self.proc = subprocess.Popen(["dotnet", NODE_DLL], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2); break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": "demo"}}},
                         "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
        req = urllib.request.Request(self.base + "/v3/auth/tokens", json.dumps(body).encode(), {"Content-Type": "application/json"})
        self.token = urllib.request.urlopen(req).headers["X-Subject-Token"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, json.dumps(body).encode() if body else None,
                                     {"Content-Type": "application/json", "X-Auth-Token": self.token}, method=method)
        with urllib.request.urlopen(req) as r:
            data = r.read()
            return json.loads(data) if data else None

    def stop(self):
        self.proc.terminate(); self.proc.wait(60)
        for pidfile in subprocess.run(["bash", "-c", f"ls {self.dir}/servers/*/guest.pid 2>/dev/null"], capture_output=True, text=True).stdout.split():
            try:
                os.kill(int(open(pidfile).read()), 15)
            except (ProcessLookupError, ValueError):
                pass
        time.sleep(3)
        shutil.rmtree(self.dir, ignore_errors=True)


def create_and_wait(node, datastore, version, name):
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
        time.sleep(0.01)


def sh(cmd):
    subprocess.run(["bash", "-c", cmd], check=True, capture_output=True)


def engine_limit(datastore):
    """The same engine initialised, started and given a database and a user by hand, to a first login: no control plane."""
    d = tempfile.mkdtemp(prefix="bl-", dir="/tmp"); os.chmod(d, 0o755); port = free_port()
    start = time.monotonic()
    if datastore == "postgresql":
        sh(f"mkdir {d}/pg && chown postgres {d}/pg && runuser -u postgres -- {PG_BIN}/initdb -D {d}/pg/data -U postgres --auth-local=trust "
           f"--auth-host=scram-sha-256 -E UTF8 --no-sync >/dev/null && runuser -u postgres -- {PG_BIN}/pg_ctl -D {d}/pg/data -w -l {d}/pg/log "
           f"-o '-p {port} -k {d}/pg -c listen_addresses=127.0.0.1' start >/dev/null && "
           f"psql -h {d}/pg -p {port} -U postgres -qc \"CREATE USER app PASSWORD 'bench-pw-1'\" -c 'CREATE DATABASE appdb OWNER app' && "
           f"PGPASSWORD=bench-pw-1 psql -h 127.0.0.1 -p {port} -U app appdb -qc 'select 1' >/dev/null")
        elapsed = time.monotonic() - start
        sh(f"runuser -u postgres -- {PG_BIN}/pg_ctl -D {d}/pg/data -m immediate -w stop >/dev/null")
    else:
        sh(f"mkdir {d}/m && chown mysql {d}/m && mariadb-install-db --no-defaults --datadir={d}/m/data --user=mysql --skip-test-db "
           f"--skip-name-resolve >/dev/null 2>&1 && (setsid -f mariadbd --no-defaults --user=mysql --datadir={d}/m/data --socket={d}/m/sock "
           f"--port={port} --bind-address=127.0.0.1 --pid-file={d}/m/pid --log-error={d}/m/err --skip-name-resolve --innodb-buffer-pool-size=32M) && "
           f"until mariadb-admin --no-defaults --socket={d}/m/sock -uroot ping >/dev/null 2>&1; do sleep 0.02; done && "
           f"mariadb --no-defaults --socket={d}/m/sock -uroot -e \"CREATE DATABASE appdb; CREATE USER 'app'@'%' IDENTIFIED BY 'bench-pw-1'; GRANT ALL ON appdb.* TO 'app'@'%'\" && "
           f"mariadb --no-defaults -h 127.0.0.1 -P {port} -uapp -pbench-pw-1 appdb -e 'select 1' >/dev/null")
        elapsed = time.monotonic() - start
        sh(f"mariadb-admin --no-defaults --socket={d}/m/sock -uroot shutdown")
    shutil.rmtree(d, ignore_errors=True)
    return elapsed


def time_to_active(node, rows, runs=10):
    for datastore, version in (("postgresql", "15"), ("mariadb", "10.11")):
        ours, limits = [], []
        for i in range(runs):
            limits.append(engine_limit(datastore))
            iid, seconds = create_and_wait(node, datastore, version, f"bench-{datastore}-{i}")
            ours.append(seconds)
            node.call("DELETE", f"/v1.0/demo/instances/{iid}")
        ours_m, limit_m = statistics.median(ours), statistics.median(limits)
        print(f"time-to-ACTIVE {datastore}: median {ours_m:.3f} s over {runs}, engine by hand {limit_m:.3f} s, ratio {ours_m / limit_m:.2f}")
        rows.append((f"time-to-ACTIVE {datastore} (median of {runs})", f"{limit_m:.3f} s", f"{ours_m:.3f} s", f"{ours_m / limit_m:.2f}x", "≤ 1.5x"))


def wrk(node, path, seconds=10):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"X-Auth-Token: {node.token}", node.base + path],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return rps, lat.get("50"), lat.get("99")


def api_read(node, rows):
    iid, _ = create_and_wait(node, "postgresql", "15", "bench-read")
    ceiling, p50c, p99c = wrk(node, "/")
    for label, path, target in (("GET /instances/{id}", f"/v1.0/demo/instances/{iid}", 15000), ("GET /instances (1 instance)", "/v1.0/demo/instances", 5000)):
        rps, p50, p99 = wrk(node, path)
        print(f"{label}: {rps:.0f} req/s (p50 {p50}, p99 {p99}); GET / ceiling {ceiling:.0f} req/s; ratio {rps / ceiling:.2f}")
        rows.append((f"{label}, wrk -t2 -c32", f"GET / {ceiling:.0f} req/s (p99 {p99c})", f"{rps:.0f} req/s (p50 {p50}, p99 {p99})",
                     f"{rps / ceiling:.2f} of ceiling", f"≥ {target} req/s, p99 < 10 ms"))
    node.call("DELETE", f"/v1.0/demo/instances/{iid}")


BENCHMARKS = {"time-to-active": time_to_active, "api-read": api_read}


def main():
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    rows, node = [], Node()
    try:
        for name in names:
            BENCHMARKS[name](node, rows)
    finally:
        node.stop()
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
