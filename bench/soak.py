"""Drives scripts/soak: a node of its own on loopback under create/delete churn with reads and backups, while one fault
happens every minute; bounded in instances and time. Reports what was sent, what failed, what was lost, stuck or left
behind, and the node's memory and file descriptors at start and end, and appends them to bench/results.md."""
import json, os, random, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_DLL = os.environ.get("TROVE_NODE_DLL") or sys.exit("run scripts/soak: it publishes the node and sets TROVE_NODE_DLL")
RESULTS = os.path.join(ROOT, "bench", "results.md")
INSTANCES = int(os.environ.get("SOAK_INSTANCES", "200"))
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "4"))
FAULT_EVERY = int(os.environ.get("SOAK_FAULT_EVERY", "60"))
ACTIVE_WITHIN, GONE_WITHIN = 240, 180


def free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class Node:
    """One node on a data dir of its own, restartable on it (SIGTERM or SIGKILL) as an operator's node is."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="trove-soak-", dir="/tmp"); os.chmod(self.dir, 0o755)
        self.port, self.admin = free_port(), free_port()
        self.env = dict(os.environ, TROVE_DATA_DIR=self.dir, TROVE_HTTP_PORT=str(self.port), Trove__RateLimitPerMinute="0",
                        Trove__Admin__Port=str(self.admin), Trove__Amqp__ConductorQueue=f"trove-conductor-soak-{self.port}",
                        Trove__Quotas__Instances=str(INSTANCES + 10), Trove__Quotas__Volumes=str(4 * INSTANCES),
                        Trove__Quotas__Backups=str(4 * INSTANCES),
                        Trove__Reconcile__Every="00:00:02", Trove__Reconcile__RestartGrace="00:00:05", Trove__Reconcile__OrphanGrace="00:00:30",
                        Trove__Instances__HeartbeatExpiry="00:00:15")
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "node.log"), "a")
        self.proc = subprocess.Popen(["dotnet", NODE_DLL], env=self.env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2); break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": "demo"}}},
                         "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
        req = urllib.request.Request(self.base + "/v3/auth/tokens", json.dumps(body).encode(), {"Content-Type": "application/json"})
        self.token = urllib.request.urlopen(req, timeout=60).headers["X-Subject-Token"]

    def restart(self, kill):
        with self.lock:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(90)
            self.start()

    def servers(self):
        d = os.path.join(self.dir, "servers")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


class Soak:
    def __init__(self, node):
        self.node, self.lock = node, threading.Lock()
        self.sent = self.server_errors = self.refused = 0
        self.errors, self.created, self.deleted, self.lost, self.stuck, self.backups, self.faults = {}, [], [], [], [], {}, []
        self.stop_at = time.time() + SECONDS

    def call(self, method, path, body=None, expect=(200, 202, 204)):
        """One request; a refused connection (the node restarting) is retried, anything else is counted."""
        while True:
            req = urllib.request.Request(self.node.base + path, json.dumps(body).encode() if body else None,
                                         {"Content-Type": "application/json", "X-Auth-Token": self.node.token}, method=method)
            with self.lock:
                self.sent += 1
            try:
                with urllib.request.urlopen(req, timeout=90) as r:
                    data = r.read()
                    return r.status, json.loads(data) if data else None
            except urllib.error.HTTPError as e:
                data = e.read()
                with self.lock:
                    if e.code >= 500:
                        self.server_errors += 1
                    if e.code not in expect:
                        key = f"{method} {path.split('/')[3] if len(path.split('/')) > 3 else path} -> {e.code}"
                        self.errors[key] = self.errors.get(key, 0) + 1
                return e.code, None
            except (urllib.error.URLError, ConnectionError, OSError):
                with self.lock:
                    self.refused += 1
                time.sleep(0.5)

    def wait(self, path, done, within):
        deadline = time.time() + within
        while time.time() < deadline:
            status, body = self.call("GET", path, expect=(200, 404))
            if done(status, body):
                return status, body
            time.sleep(1)
        return None

    def churn(self, i):
        if time.time() > self.stop_at:
            return
        body = {"instance": {"name": f"soak-{i}", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "postgresql", "version": "15"},
                             "databases": [{"name": "appdb"}], "users": [{"name": "app", "password": "soak-pw-1", "databases": [{"name": "appdb"}]}]}}
        status, created = self.call("POST", "/v1.0/demo/instances", body)
        if status != 200:
            return
        iid = created["instance"]["id"]
        with self.lock:
            self.created.append(iid)
        path = f"/v1.0/demo/instances/{iid}"
        end = self.wait(path, lambda s, b: s == 404 or (s == 200 and b["instance"]["status"] in ("ACTIVE", "ERROR")), ACTIVE_WITHIN)
        if end is None or end[0] == 404 or end[1]["instance"]["status"] == "ERROR":
            with self.lock:
                (self.lost if end and end[0] == 404 else self.stuck).append((iid, "never ACTIVE" if end is None else "ERROR" if end[0] == 200 else "lost"))
            if end is None or end[0] == 404:
                return
        for read in (path, "/v1.0/demo/instances", f"{path}/databases", f"{path}/users"):
            self.call("GET", read)
        if i % 5 == 0:
            status, backup = self.call("POST", "/v1.0/demo/backups", {"backup": {"name": f"soak-b-{i}", "instance": iid}})
            if status == 202:
                bid = backup["backup"]["id"]
                end = self.wait(f"/v1.0/demo/backups/{bid}", lambda s, b: s == 200 and b["backup"]["status"] in ("COMPLETED", "FAILED"), 180)
                with self.lock:
                    # status and fault: a FAILED backup must say why
                    self.backups[bid] = (end[1]["backup"]["status"], end[1]["backup"].get("fault")) if end else ("stuck", None)
                    if end is None:
                        self.stuck.append((bid, "backup never ended"))
        self.wait(path, lambda s, b: s == 200 and b["instance"]["status"] == "ACTIVE", 120)
        if self.call("DELETE", path)[0] == 202:
            if self.wait(path, lambda s, b: s == 404, GONE_WITHIN) is None:
                with self.lock:
                    self.stuck.append((iid, "delete never ended"))
            else:
                with self.lock:
                    self.deleted.append(iid)

    def active_servers(self):
        return [s for s in self.node.servers() if os.path.exists(os.path.join(self.node.dir, "servers", s, "guest.pid"))]

    def fault(self, n):
        kinds = ["guest killed", "engine killed", "broker connections closed", "node restarted", "node killed"]
        kind = kinds[n % len(kinds)]
        target = ""
        servers = self.active_servers()
        if kind == "guest killed" and servers:
            target = random.choice(servers)
            subprocess.run(["kill", "-KILL", open(os.path.join(self.node.dir, "servers", target, "guest.pid")).read().strip()])
        elif kind == "engine killed" and servers:
            target = random.choice(servers)
            pidfile = os.path.join(self.node.dir, "servers", target, "postgres", "data", "postmaster.pid")
            if os.path.exists(pidfile):
                subprocess.run(["kill", "-KILL", open(pidfile).readline().strip()])
        elif kind == "broker connections closed":  # this node's guests' only: the broker is the machine's, others use it too
            ours = set(f"trove-guest-{s}" for s in self.node.servers())
            listed = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "user"], capture_output=True, text=True).stdout
            for pid, user in (line.split("\t")[:2] for line in listed.splitlines() if "\t" in line):
                if user.strip() in ours:
                    subprocess.run(["rabbitmqctl", "-q", "close_connection", pid.strip(), "soak"], capture_output=True)
                    target = f"{target} {user.strip()}".strip()
        elif kind in ("node restarted", "node killed"):
            self.node.restart(kill=kind == "node killed")
        self.faults.append((time.strftime("%H:%M:%S"), kind, target or "(no guest running)"))
        print(f"{self.faults[-1][0]} fault: {kind} {target}", flush=True)


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def orphans(node, soak):
    """What is left of deleted instances: server directories, processes, OS users and broker users."""
    left = [s for s in node.servers() if s in soak.deleted]
    procs = sum(1 for pid in os.listdir("/proc") if pid.isdigit() and f"{node.dir}/servers/" in cmdline(int(pid)))
    users = subprocess.run(["bash", "-c", "rabbitmqctl -q list_users | awk '{print $1}'"], capture_output=True, text=True).stdout.split()
    broker = [u for u in users if u.startswith("trove-guest-") and u[len("trove-guest-"):] in soak.deleted]
    return left, procs, broker


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def main():
    node = Node()
    soak = Soak(node)
    time.sleep(5)
    start_rss, start_fds = rss_mb(node.proc.pid), fds(node.proc.pid)
    print(f"soak: {INSTANCES} instances, {SECONDS} s, {WORKERS} workers, a fault every {FAULT_EVERY} s; node in {node.dir}", flush=True)
    started = time.monotonic()
    stop_faults = threading.Event()

    def faults():
        n = 0
        while not stop_faults.wait(FAULT_EVERY):
            soak.fault(n); n += 1

    injector = threading.Thread(target=faults, daemon=True); injector.start()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(soak.churn, range(INSTANCES)))
    stop_faults.set(); injector.join()
    elapsed = time.monotonic() - started
    time.sleep(40)  # the reconciler's orphan grace, then what is left is left
    end_rss, end_fds = rss_mb(node.proc.pid), fds(node.proc.pid)
    left, procs, broker = orphans(node, soak)
    completed = sum(1 for status, _ in soak.backups.values() if status == "COMPLETED")
    failed = [(bid, fault[:120]) for bid, (status, fault) in soak.backups.items() if status == "FAILED" and fault]
    # neither COMPLETED nor FAILED with a fault: lost work, or a failure nobody can read
    unexplained = [(bid, status) for bid, (status, fault) in soak.backups.items() if status != "COMPLETED" and not (status == "FAILED" and fault)]
    lines = [
        f"instances created {len(soak.created)}, deleted and gone {len(soak.deleted)}, lost {len(soak.lost)}, stuck {len(soak.stuck)} {soak.stuck[:5]}",
        f"requests {soak.sent}: 5xx {soak.server_errors}, refused connections retried {soak.refused}, unexpected answers {soak.errors}",
        f"backups {len(soak.backups)}: {completed} COMPLETED, {len(failed)} FAILED with a fault {failed}, "
        f"{len(unexplained)} neither {unexplained}",
        f"faults {len(soak.faults)}: " + ", ".join(f"{t} {k}" for t, k, _ in soak.faults),
        f"left behind: {len(left)} server dirs of deleted instances, {procs} processes in the servers directory (live or not), {len(broker)} broker users of deleted instances",
        f"node memory {start_rss} MB -> {end_rss} MB, file descriptors {start_fds} -> {end_fds} (the last node process: restarts reset both)",
        f"took {elapsed:.0f} s",
    ]
    print("\n".join(lines))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with open(RESULTS, "a") as f:
        f.write(f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — soak, commit {commit}, {os.cpu_count()} cores\n")
        f.write(f"`SOAK_INSTANCES={INSTANCES} SOAK_SECONDS={SECONDS} SOAK_WORKERS={WORKERS} scripts/soak`\n\n")
        f.write("".join(f"- {line}\n" for line in lines))
    node.proc.terminate(); node.proc.wait(90)
    subprocess.run([os.path.join(ROOT, "scripts", "stop-guests")], env=dict(os.environ, TROVE_DATA_DIR=node.dir), capture_output=True)
    bad = soak.lost or soak.stuck or soak.server_errors or left or broker or unexplained
    print(f"node data dir kept for reading: {node.dir}" if bad else "clean")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
