# `openstack ...` through openstack-zygote.py (whose socket OPENSTACK_ZYGOTE names): sends argv, environment, working
# directory and the standard streams, and exits as the command did. Run with `python3 -I -S`: it imports nothing else.
import json, os, socket, struct, sys

conn = socket.socket(socket.AF_UNIX)
conn.connect(os.environ["OPENSTACK_ZYGOTE"])
request = {"argv": ["openstack"] + sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}
socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
conn.shutdown(socket.SHUT_WR)
status = b""
while len(status) < 4:
    chunk = conn.recv(4 - len(status))
    if not chunk:
        sys.exit("openstack-stub: the zygote went away before the command ended")
    status += chunk
code = struct.unpack("i", status)[0]
sys.exit(code if code >= 0 else 128 - code)
