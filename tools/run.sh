#!/usr/bin/env bash
# The run command: Odoo 19 with crm_relation and demo data on http://127.0.0.1:8069.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# shellcheck source=odoo_deps.sh
. tools/odoo_deps.sh
if ! "$PYTHON" -c 'import odoo.release' >/dev/null 2>&1; then
    exec "$PYTHON" tools/run_odoo.py   # explains what is missing
fi
ensure_odoo_deps
exec "$PYTHON" tools/run_odoo.py
