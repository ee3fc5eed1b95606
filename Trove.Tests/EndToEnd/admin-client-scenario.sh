#!/bin/bash
# An operator's session with the upstream OpenStack client (python3-troveclient, unmodified) against a running node:
# the admin (role admin, project admin) acts on the demo tenant's instance and backup through its own project path,
# sets quotas and manages datastore versions. Needs OS_AUTH_URL; fails on the first command that does not do its job.
set -euo pipefail
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
tenant() { echo "\$ [demo] openstack $*" >&2; OS_USERNAME=demo OS_PASSWORD=demo OS_PROJECT_NAME=demo openstack "$@"; }
admin() { echo "\$ [admin] openstack $*" >&2; OS_USERNAME=admin OS_PASSWORD=admin OS_PROJECT_NAME=admin openstack "$@"; }
os() { tenant "$@"; } # the waits read as the tenant
source "$(dirname "$0")/client-lib.sh"

id=$(tenant database instance create "ops-$RANDOM" --flavor small --size 1 --datastore postgresql --datastore-version 15 -f value -c id)
wait_status instance "$id" ACTIVE
backup=$(tenant database backup create "ops-bk" --instance "$id" -f value -c id)
wait_status backup "$backup" COMPLETED

# The tenant's resources, reached by the admin.
admin database instance show "$id" -f value -c status | expect "^ACTIVE\$"
admin database backup show "$backup" -f value -c project_id | expect "^demo\$"
admin database backup list --all-projects -f value -c ID | expect "^$backup\$"
admin database backup list --project-id demo -f value -c ID | expect "^$backup\$"
admin database backup list instance "$id" -f value -c ID | expect "^$backup\$"
# Every project's instances (the mgmt list, with the tenant), and a reboot through the mgmt API.
admin database instance list --all-projects -f value -c ID -c "Tenant ID" | expect "^$id demo\$"
admin database instance list --project-id demo -f value -c ID | expect "^$id\$"
admin database instance reboot "$id"
wait_status instance "$id" ACTIVE
admin database instance reset status "$id"
admin database instance show "$id" -f value -c status | expect "^\(ACTIVE\|ERROR\)\$"

# Quotas.
admin database quota show demo -f value | expect "instances"
before=$(admin database quota show demo -f value -c Resource -c Limit | awk '$1 == "instances" { print $2 }')
admin database quota update demo instances 17 -f value | expect 17
admin database quota show demo -f value -c Resource -c Limit | expect "^instances 17\$"
admin database quota update demo instances "$before" >/dev/null

# Datastore versions.
name="15-ops$RANDOM"
admin datastore version create "$name" postgresql postgresql "" --active
version=$(admin datastore version list postgresql -f value -c ID -c Name | awk -v n="$name" '$2 == n { print $1 }')
[ -n "$version" ] || { echo "version $name was not listed" >&2; exit 1; }
admin datastore version show "$version" -f value -c name | expect "^$name\$"
admin datastore version set "$version" --disable
tenant datastore version list postgresql -f value -c Name | { ! grep -x -- "$name"; } >/dev/null \
  || { echo "the disabled version $name is still offered to tenants" >&2; exit 1; }
admin datastore version delete "$version"
admin datastore version list postgresql -f value -c Name | { ! grep -x -- "$name"; } >/dev/null \
  || { echo "the deleted version $name is still listed" >&2; exit 1; }

# Force delete: reset, then delete, as upstream's client does.
tenant database backup delete "$backup"
admin database instance force delete "$id"
wait_gone "$id"
