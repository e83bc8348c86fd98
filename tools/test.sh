#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the three layers.
#   tools/test.sh              all layers (2-3 are skipped, loudly, without Odoo 19)
#   tools/test.sh --layer 1    one layer alone (repeatable)
# PYTHON picks the interpreter (default: python3); Odoo 19 must be importable
# by it for layers 2-3 (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

echo "== installing test requirements (PyPI) into $($PYTHON -c 'import sys; print(sys.prefix)')"
"$PYTHON" -m pip install -q -r requirements-test.txt

odoo_found=$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null || true)
if [ "$odoo_found" = "19" ]; then
    if ! "$PYTHON" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("odoo.addons.helpdesk_mgmt") is None)' 2>/dev/null; then
        echo "== installing OCA helpdesk_mgmt 19.0 (PyPI)"
        "$PYTHON" -m pip install -q "odoo-addon-helpdesk_mgmt==19.0.*"
    fi
    have_pg=""
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && have_pg=1; done
    command -v initdb >/dev/null 2>&1 && have_pg=1
    if [ -z "$have_pg" ] && [ -z "${CRM_TEST_DB_HOST:-}" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "== installing PostgreSQL (Debian package postgresql)"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            echo "!! PostgreSQL server not found: install the Debian package 'postgresql' (as root), or set CRM_TEST_DB_HOST/PORT/USER to a server of yours" >&2
        fi
    fi
else
    echo "== Odoo 19 not importable by $PYTHON: layers 2-3 will be SKIPPED (see README)"
fi

exec "$PYTHON" tools/run_tests.py "$@"
