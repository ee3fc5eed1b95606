#!/bin/bash
# A tenant's session with the upstream OpenStack client (python3-troveclient, unmodified) against a running node.
# Needs OS_AUTH_URL (the node's /v3) and DATASTORE / DATASTORE_VERSION; fails on the first command that does not do its job.
set -euo pipefail
export OS_USERNAME=${OS_USERNAME:-demo} OS_PASSWORD=${OS_PASSWORD:-demo} OS_PROJECT_NAME=${OS_PROJECT_NAME:-demo}
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
os() { echo "\$ openstack $*" >&2; openstack "$@"; }
source "$(dirname "$0")/client-lib.sh"

os database flavor list -f value | expect small
os database flavor show small -f value -c name | expect "^small\$"
os datastore list -f value | expect "$DATASTORE"
os datastore show "$DATASTORE" -f value -c name | expect "^$DATASTORE\$"
os datastore version list "$DATASTORE" -f value | expect "$DATASTORE_VERSION"

id=$(os database instance create "cli-$DATASTORE" --flavor small --size 1 --datastore "$DATASTORE" \
      --datastore-version "$DATASTORE_VERSION" --databases appdb --users app:Cli-pass-1 \
      --is-public --allowed-cidr 127.0.0.0/8 -f value -c id)
wait_status instance "$id" ACTIVE
os database instance list -f value | expect "$id"
# Its own address on the engine's standard port, and its access, as upstream's client prints them.
case "$DATASTORE" in postgresql) port=5432 ;; *) port=3306 ;; esac
os database instance show "$id" -f json | expect "\"port\": $port"
os database instance show "$id" -f value -c ip | expect "^127\.42\."
os database instance show "$id" -f value -c public | expect "^True$"
os database instance show "$id" -f value -c allowed_cidrs | expect "127.0.0.0/8"
os database instance update "$id" --is-private --allowed-cidr 127.0.0.0/8 --allowed-cidr 10.0.0.0/8
os database instance show "$id" -f value -c public | expect "^False$"
os database instance show "$id" -f value -c allowed_cidrs | expect "127.0.0.0/8.*10.0.0.0/8"
refused=$(os database instance update "$id" --allowed-cidr 10.0.0.0/40 2>&1) && { echo "a CIDR that is not one was taken" >&2; exit 1; }
echo "$refused" | expect "allowed_cidrs"
os database instance show "$id" -f value -c allowed_cidrs | expect "127.0.0.0/8.*10.0.0.0/8"

os database db create "$id" db2
os database db list "$id" -f value | expect db2
os database user create "$id" u2 Cli-pass-2 --databases db2
os database user list "$id" -f value | expect u2
os database user show "$id" u2 -f value | expect db2
os database user grant access "$id" u2 appdb
os database user show access "$id" u2 -f value | expect appdb
os database user revoke access "$id" u2 appdb
os database user update attributes "$id" u2 --new_password Cli-pass-3
os database user show "$id" u2 -f value -c name | expect "^u2\$"
os database user delete "$id" u2
os database db delete "$id" db2
os database root enable "$id" -f value | expect "^root$" # upstream names root "root" on both engines
os database root show "$id" -f value | expect True
os database root disable "$id"

# A configuration group attached: instance show names it, configuration default (the engine's values) has its value.
case "$DATASTORE" in postgresql) param=work_mem value=8192 value2=16384 ;; *) param=max_connections value=150 value2=160 ;; esac
cfg=$(os database configuration create "cfg-$DATASTORE" "{\"$param\": $value}" --datastore "$DATASTORE" \
       --datastore-version "$DATASTORE_VERSION" -f value -c id)
os database configuration show "$cfg" -f value -c name | expect "^cfg-$DATASTORE\$" # it drops datastore_version_id, or failed without it
os database configuration list -f value -c ID -c "Datastore Version Number" | expect "^$cfg $DATASTORE_VERSION\$"
os database instance update "$id" --configuration "$cfg"
os database instance show "$id" -f value -c configuration | expect "^$cfg\$"
os database instance show "$id" -f value -c datastore_version_number | expect "^$DATASTORE_VERSION\$"
os database configuration default "$id" -f value -c "$param" | expect "^$value\$"
os database instance update "$id" --remove-configuration
os database instance show "$id" -f json | { ! grep -- '"configuration"'; } >/dev/null || { echo "still attached" >&2; exit 1; }
# The same through configuration attach/set/instances/detach, and the datastore version's parameters.
os database configuration parameter list "$DATASTORE_VERSION" --datastore "$DATASTORE" -f value -c Name | expect "^$param\$"
os database configuration parameter show "$DATASTORE_VERSION" "$param" --datastore "$DATASTORE" -f value -c name | expect "^$param\$"
os database configuration attach "$id" "$cfg"
os database configuration instances "$cfg" -f value -c ID | expect "^$id\$"
os database configuration set "$cfg" "{\"$param\": $value2}"
os database configuration show "$cfg" -f value -c values | expect "\"$param\": $value2"
os database configuration default "$id" -f value -c "$param" | expect "^$value2\$"
os database configuration parameter set "$cfg" "{\"$param\": $value}" # upstream's PATCH: merged into the values
os database configuration default "$id" -f value -c "$param" | expect "^$value\$"
os database configuration set "$cfg" "{\"$param\": $value2}"
os database configuration detach "$id"
os database instance show "$id" -f json | { ! grep -- '"configuration"'; } >/dev/null || { echo "still attached" >&2; exit 1; }

# Guest logs: the general log enabled, published into the backup storage, then tailed and saved by the client through
# the object-store the identity service names.
os database log list "$id" -f value -c Name -c Type -c Status | expect "^general USER Disabled\$"
os database log show "$id" error -f value -c type | expect "^SYS\$"
os database log set "$id" general --enable -f value -c status | expect "^Enabled\$"
os database db create "$id" logged_db
os database log set "$id" general --publish -f value -c status | expect "^Published\$\|^Partial\$"
os database log tail "$id" general --lines 100 | expect logged_db
saved=$(mktemp)
os database log save "$id" general --file "$saved" | expect "written to $saved"
grep logged_db "$saved" >/dev/null || { echo "the saved log lacks the statement" >&2; exit 1; }
rm -f "$saved"
os database log set "$id" general --disable --discard -f value -c status | expect "^Disabled\$"
os database db delete "$id" logged_db

# A backup: create, show and list print the catalog's version id and the project (the client read 'version_id').
version_id=$(os datastore version show "$DATASTORE_VERSION" --datastore "$DATASTORE" -f value -c id)
backup=$(os database backup create "bk-$DATASTORE" --instance "$id" -f value -c id)
wait_status backup "$backup" COMPLETED
os database backup show "$backup" -f value -c datastore_version_id | expect "^$version_id\$"
os database backup show "$backup" -f value -c project_id | expect "^$OS_PROJECT_NAME\$"
for _ in $(seq 1 20); do # the list reads the read model, which follows within moments
  os database backup list -f value -c ID -c Status -c "Project ID" | grep -- "^$backup COMPLETED $OS_PROJECT_NAME\$" >/dev/null && break
  sleep 0.5
done
os database backup list -f value -c ID -c Status -c "Project ID" | expect "^$backup COMPLETED $OS_PROJECT_NAME\$"
# Restored into a new instance created with the configuration group: in effect once it is ACTIVE.
restored=$(os database instance create "cli-restored-$DATASTORE" --flavor small --size 1 --datastore "$DATASTORE" \
      --datastore-version "$DATASTORE_VERSION" --backup "$backup" --configuration "$cfg" -f value -c id)
wait_status instance "$restored" ACTIVE
os database instance show "$restored" -f value -c configuration | expect "^$cfg\$"
os database configuration default "$restored" -f value -c "$param" | expect "^$value2\$"
os database db list "$restored" -f value | expect appdb
os database instance delete "$restored"
os database backup list instance "$id" -f value -c ID | expect "^$backup\$"
os database backup delete "$backup"
wait_status instance "$id" ACTIVE # it leaves BACKUP once it heard of the backup's end
os database limit list -f value | expect "max_instances\|ABSOLUTE\|MINUTE"
os database quota show "$OS_PROJECT_NAME" -f value | expect instances
os database instance resize volume "$id" 2
wait_status instance "$id" ACTIVE
os database instance show "$id" -f value -c volume | expect "^2\$"
os database instance resize flavor "$id" medium
wait_status instance "$id" ACTIVE
os database instance show "$id" -f value -c flavor | expect "^medium\$"
os database instance restart "$id"
wait_status instance "$id" ACTIVE
# A replica, promoted to be its source's source, then the old source (its replica now) detached; eject is refused while
# the source's guest is heard of, as upstream.
replica=$(os database instance create "cli-replica" --replica-of "$id" -f value -c id)
wait_status instance "$replica" ACTIVE
os database instance show "$replica" -f value -c replica_of | expect "^$id\$"
os database instance show "$id" -f value -c replicas | expect "$replica"
refused=$(os database instance eject "$id" 2>&1) && { echo "a source with a current heartbeat was ejected" >&2; exit 1; }
echo "$refused" | expect "cannot be ejected as it has a current heartbeat"
os database instance promote "$replica"
wait_status instance "$id" ACTIVE # the old source ends the promotion it runs: the last to be ACTIVE again
wait_status instance "$replica" ACTIVE
os database instance show "$id" -f value -c replica_of | expect "^$replica\$"
os database instance show "$replica" -f value -c replicas | expect "$id"
os database instance detach "$id"
wait_status instance "$id" ACTIVE
os database instance show "$id" -f json | { ! grep -- '"replica_of"'; } >/dev/null || { echo "still a replica" >&2; exit 1; }
os database instance show "$replica" -f json | { ! grep -- "$id"; } >/dev/null || { echo "the new source still lists it" >&2; exit 1; }
os database instance delete "$replica"
wait_gone "$replica"
os database instance delete "$id"
wait_gone "$id"
wait_gone "$restored"
os database configuration delete "$cfg"
os database configuration list -f value -c ID | { ! grep -x -- "$cfg"; } >/dev/null || { echo "configuration $cfg was not deleted" >&2; exit 1; }
