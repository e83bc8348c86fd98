#!/usr/bin/env bash
# The run command: Odoo 19 with crm_relation and demo data on http://127.0.0.1:8069.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import odoo.release' >/dev/null 2>&1; then
    exec "$PYTHON" tools/run_odoo.py   # explains what is missing
fi
have_pg=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && have_pg=1; done
if [ -z "$have_pg" ] && [ -z "${CRM_TEST_DB_HOST:-}" ] && [ "$(id -u)" = 0 ]; then
    echo "== installing PostgreSQL (Debian package postgresql)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
exec "$PYTHON" tools/run_odoo.py
