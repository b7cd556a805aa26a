# shellcheck shell=bash
# Shared by tools/setup, tools/run and tools/test: locate Odoo, build the
# virtualenv, make sure PostgreSQL and Chromium are there. Idempotent and quiet
# when everything is already in place.
set -euo pipefail

ADDON_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON_NAME="tusfacturas_cuenta_corriente"
# Everything built (virtualenv, configuration, filestore) lives outside the
# repository: Odoo walks an addon's whole directory (translations, assets), and
# must find neither a virtualenv nor a link back to itself there.
CHECKOUT_ID="$(printf %s "$ADDON_DIR" | sha1sum | cut -c1-8)"
BUILD_DIR="${TUSFACTURAS_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tusfacturas_cuenta_corriente/$(basename "$ADDON_DIR")-$CHECKOUT_ID}"
VENV="$BUILD_DIR/venv"
ADDONS_LINK_DIR="$BUILD_DIR/addons"
PY="$VENV/bin/python"
# One test database per checkout, so that two clones never test in the same one.
TEST_DB="${TUSFACTURAS_TEST_DB:-tusfacturas_test_$CHECKOUT_ID}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    log "Installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_odoo() {
    if [ -n "${ODOO_SRC:-}" ] && [ -f "$ODOO_SRC/odoo-bin" ]; then
        :
    elif [ -f "$HOME/odoo-18.0/odoo-bin" ]; then
        ODOO_SRC="$HOME/odoo-18.0"
    else
        ODOO_SRC="${ODOO_SRC:-$HOME/odoo-18.0}"
        log "No Odoo 18.0 source tree found: cloning it into $ODOO_SRC"
        git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC"
    fi
    export ODOO_SRC
}

build_venv() {
    local reqs stamp
    mkdir -p "$BUILD_DIR"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    # odoo_requirements.py needs `packaging`, which the system's Python may lack.
    "$PY" -c "import packaging" 2>/dev/null \
        || "$PY" -m pip install --quiet packaging 2> >(grep -v "is ignored: it is neither" >&2)
    reqs="$BUILD_DIR/requirements.txt"
    {
        "$PY" "$ADDON_DIR/tools/odoo_requirements.py" "$ODOO_SRC/requirements.txt"
        cat "$ADDON_DIR/test-requirements.txt" "$ADDON_DIR/tools/requirements-dev.txt"
    } >"$reqs"
    stamp="$VENV/.installed-$(sha1sum "$reqs" | cut -c1-12)"
    if [ ! -f "$stamp" ]; then
        log "Installing Python requirements into $VENV"
        # pip's notes about this machine's unused local indexes are noise: keep real errors.
        "$PY" -m pip install --quiet --upgrade pip wheel 2> >(grep -v "is ignored: it is neither" >&2)
        "$PY" -m pip install --quiet -r "$reqs" 2> >(grep -v "is ignored: it is neither" >&2)
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
    # Odoo is used from its source tree, never copied or modified.
    "$PY" - "$ODOO_SRC" <<'PYEOF'
import pathlib, sys, sysconfig
pth = pathlib.Path(sysconfig.get_paths()["purelib"]) / "odoo-src.pth"
pth.write_text(sys.argv[1] + "\n")
PYEOF
    # Odoo finds addons by directory name: expose this repository under its
    # technical name, whatever the clone is called.
    mkdir -p "$ADDONS_LINK_DIR"
    ln -sfn "$ADDON_DIR" "$ADDONS_LINK_DIR/$ADDON_NAME"
}

ensure_postgres() {
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        apt_install postgresql
    fi
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        local ver
        ver="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
        as_root pg_createcluster "$ver" main >/dev/null
    fi
    pg_lsclusters -h | while read -r ver name _port status _rest; do
        if [ "$status" != "online" ]; then
            log "Starting PostgreSQL cluster $ver/$name"
            as_root pg_ctlcluster "$ver" "$name" start
        fi
    done
    local user
    user="$(id -un)"
    if ! as_root runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$user'" | grep -q 1; then
        log "Creating PostgreSQL role $user"
        as_root runuser -u postgres -- createuser --superuser "$user"
    fi
}

ensure_chromium() {
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
        && ! command -v google-chrome >/dev/null 2>&1; then
        apt_install chromium
    fi
}

# Prettier (a pre-commit hook) runs on the system's Node.js.
ensure_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
}

# PDF reports: wkhtmltopdf renders them, pdftotext (tests) reads them back, DejaVu Sans keeps their text text.
ensure_pdf_tools() {
    if ! command -v wkhtmltopdf >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
        || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
        apt_install wkhtmltopdf poppler-utils fonts-dejavu-core
    fi
}

setup_all() {
    find_odoo
    build_venv
    ensure_postgres
}
