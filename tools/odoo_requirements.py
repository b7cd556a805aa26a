"""Print Odoo's requirements.txt as pins that install from wheels on this Python.

Odoo 18.0 pins old releases for Python 3.11 (Debian 12 packages) that only build
from source with an old setuptools. The pins it keeps for Python 3.12 (Ubuntu
24.04 packages) ship wheels for 3.11 too, so we evaluate every environment marker
as if on 3.12. ``psycopg2`` becomes ``psycopg2-binary`` (no libpq headers needed)
and ``python-ldap`` is dropped (only ``auth_ldap`` needs it and it needs system
headers to build).
"""

import sys

from packaging.markers import Marker
from packaging.requirements import Requirement

TARGET = {"python_version": "3.12", "python_full_version": "3.12.0"}
RENAMED = {"psycopg2": "psycopg2-binary"}
DROPPED = {"python-ldap", "pypiwin32", "rl-renderpm"}


def main(path):
    with open(path, encoding="utf-8") as lines:
        requirements = list(lines)
    for raw in requirements:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not Marker(str(req.marker)).evaluate(TARGET):
            continue
        name = req.name.lower()
        if name in DROPPED:
            continue
        print(f"{RENAMED.get(name, req.name)}{req.specifier}")


if __name__ == "__main__":
    main(sys.argv[1])
