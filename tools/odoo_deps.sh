# Sourced by tools/test.sh and tools/run.sh: once Odoo 19 is importable by
# $PYTHON, install what running it here needs from the registries: the OCA
# wheel helpdesk_mgmt 19.0 (PyPI) and a PostgreSQL server (Debian package).

ensure_odoo_deps() {
    if ! "$PYTHON" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("odoo.addons.helpdesk_mgmt") is None)' 2>/dev/null; then
        echo "== installing OCA helpdesk_mgmt 19.0 (PyPI)"
        "$PYTHON" -m pip install -q "odoo-addon-helpdesk_mgmt==19.0.*"
    fi
    local have_pg="" d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && have_pg=1; done
    command -v initdb >/dev/null 2>&1 && have_pg=1
    if [ -n "$have_pg" ] || [ -n "${CRM_TEST_DB_HOST:-}" ]; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing PostgreSQL (Debian package postgresql)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "!! PostgreSQL server not found: install the Debian package 'postgresql' (as root), or set CRM_TEST_DB_HOST/PORT/USER to a server of yours" >&2
    fi
}
