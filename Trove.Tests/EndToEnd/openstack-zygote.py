# Runs each command of the upstream OpenStack client (unmodified) in a fresh process forked from one that has already
# imported what a run of the client imports: a command costs its own work instead of ~2 CPU-seconds of imports, and a
# session's polls stop crowding the 2 cores the suite shares. Each child gets the caller's argv, environment, working
# directory and standard streams (passed over the socket), exactly what `openstack ...` would have had.
# Usage: /usr/bin/python3 openstack-zygote.py SOCKET   (the socket appears once warm; openstack-stub.py is the caller)
import importlib, json, os, socket, struct, sys, threading

from openstackclient import shell


def modules_a_run_imports():
    """Names of the modules a client run loads, found by running one in a throwaway child."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            shell.main(["--os-auth-type", "none", "--os-endpoint", "http://127.0.0.1:9/", "database", "instance", "list"])
        except BaseException:
            pass
        os.write(write, "\n".join(sorted(sys.modules)).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.waitpid(pid, 0)
    return data.decode().split("\n")


def run_command(request, fds):
    """In the forked child: becomes the caller's `openstack` process."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    try:
        code = shell.main(request["argv"][1:])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def answer_when_done(conn, pid):
    _, status = os.waitpid(pid, 0)
    try:
        conn.sendall(struct.pack("i", os.waitstatus_to_exitcode(status)))
    finally:
        conn.close()


for name in modules_a_run_imports():
    try:
        importlib.import_module(name)
    except BaseException:
        pass

# Every command's parser asks cliff which distribution provides it (for its help's epilog): the first ask in a process
# reads the metadata of every installed distribution, ~0.3 CPU-s of a ~0.4 s command when each child asked afresh. cliff
# keeps the answer for the process; asked here, before any fork, each child has it. Nothing is installed meanwhile.
from cliff import command
getattr(command, "_get_distributions_by_modules", lambda: None)()  # a private helper of cliff: a release without it costs time only

server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1] + ".tmp")
server.listen(64)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])  # the socket's name appears only once it accepts
while True:
    conn, _ = server.accept()
    message, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while chunk := conn.recv(1 << 16):  # the rest of a long environment, up to the caller's end of writing
        message += chunk
    pid = os.fork()  # from this (the only forking) thread: no other thread holds a lock the child would inherit
    if pid == 0:
        server.close()
        conn.close()
        run_command(json.loads(message), fds)
    for fd in fds:
        os.close(fd)
    threading.Thread(target=answer_when_done, args=(conn, pid), daemon=True).start()
