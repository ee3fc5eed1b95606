# Shared by the long scripts: one line per step with the seconds since the script started, so that a slow step
# (a package install, a ReadyToRun publish, a node joining) reads as progress, not as a hang.
step() {
  printf '%s [%4ss] %s\n' "$(basename "$0")" "$SECONDS" "$*"
}
