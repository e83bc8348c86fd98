# Sourced by tools/test.sh and tools/run.sh: once Odoo 19 is importable by
# $PYTHON, install what running it here needs from the registries: the OCA
# wheels helpdesk_mgmt, partner_contact_birthdate, calendar_public_holiday and
# helpdesk_mgmt_rating 19.0 (PyPI), a PostgreSQL server, wkhtmltopdf for
# the PDF reports and Chromium for Odoo's browser tests (Debian packages).

ensure_odoo_deps() {
    if ! "$PYTHON" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("odoo.addons.helpdesk_mgmt") is None)' 2>/dev/null; then
        echo "== installing OCA helpdesk_mgmt 19.0 (PyPI)"
        "$PYTHON" -m pip install -q "odoo-addon-helpdesk_mgmt==19.0.*"
    fi
    # OCA's birthdays, public holidays and customer ratings of tickets.
    local oca
    for oca in partner_contact_birthdate calendar_public_holiday helpdesk_mgmt_rating; do
        if ! "$PYTHON" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('odoo.addons.$oca') is None)" 2>/dev/null; then
            echo "== installing OCA $oca 19.0 (PyPI)"
            "$PYTHON" -m pip install -q "odoo-addon-$oca==19.0.*"
        fi
    done
    local have_pg="" d packages=()
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && have_pg=1; done
    command -v initdb >/dev/null 2>&1 && have_pg=1
    if [ -z "$have_pg" ] && [ -z "${CRM_TEST_DB_HOST:-}" ]; then
        packages+=(postgresql)
    fi
    command -v wkhtmltopdf >/dev/null 2>&1 || packages+=(wkhtmltopdf)
    command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || packages+=(chromium)
    [ ${#packages[@]} = 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing ${packages[*]} (Debian packages)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "!! missing Debian package(s) ${packages[*]}: install them as root (or set CRM_TEST_DB_HOST/PORT/USER to a PostgreSQL server of yours)" >&2
    fi
}
