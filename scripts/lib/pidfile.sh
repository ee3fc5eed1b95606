# Pid files that name one process, not whatever later took its number: each holds the pid and the process's start time
# (in clock ticks since boot), and a process is alive only while both match. Processes end between sessions here while
# /tmp stays, so a bare pid soon names another process (or a thread of one, which kill -0 finds as well).

start_ticks() { [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# write_pidfile FILE PID
write_pidfile() { echo "$2 $(start_ticks "$2")" > "$1"; }

# pid_of FILE: the pid it names
pid_of() { cut -d' ' -f1 "$1"; }

# alive_pidfile FILE: whether the process it names still runs
alive_pidfile() {
  local pid ticks
  [ -f "$1" ] || return 1
  read -r pid ticks < "$1"
  [ -n "$ticks" ] && [ "$(start_ticks "$pid")" = "$ticks" ]
}
