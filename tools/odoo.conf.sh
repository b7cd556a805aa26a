# shellcheck shell=bash
# Write an Odoo configuration for this checkout: $1 = path, $2 = database, $3 = HTTP port,
# $4 = addons path (default: Odoo's addons and this checkout, under its technical name).
write_odoo_conf() {
    cat >"$1" <<CONF
[options]
addons_path = ${4:-$ODOO_SRC/odoo/addons,$ADDONS_LINK_DIR}
data_dir = $BUILD_DIR/data
db_name = $2
dbfilter = ^$2\$
list_db = False
http_port = $3
http_interface = 127.0.0.1
admin_passwd = admin
without_demo = False
CONF
}
