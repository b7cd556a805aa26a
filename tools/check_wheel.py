"""Check the addon's wheel: its name, metadata and files.

    python tools/check_wheel.py WHEEL            # what the wheel holds
    python tools/check_wheel.py --installed      # its Python dependencies are here

The wheel must hold what Odoo needs to run the addon and its tests (the sandbox
too), under ``odoo/addons/<addon>/``, and nothing of the repository's tooling.
"""

import ast
import sys
import zipfile
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ADDON = "tusfacturas_cuenta_corriente"
DIST = f"odoo-addon-{ADDON}"
ROOT = f"odoo/addons/{ADDON}/"
REQUIRED = [
    "__init__.py",
    "__manifest__.py",
    "README.md",
    "i18n/es.po",
    "sandbox/server.py",
    "static/description/icon.png",
    "static/description/index.html",
    "static/tests/tours/tusfacturas_tours.js",
    "tests/__init__.py",
    "tusfacturas/client.py",
]
FORBIDDEN_PREFIXES = ("tools/", ".ci/", ".git", ".pre-commit", ".pylintrc", ".prettierrc", "pyproject.toml")


def manifest():
    return ast.literal_eval((Path(__file__).resolve().parent.parent / "__manifest__.py").read_text(encoding="utf-8"))


def check_wheel(path):
    errors = []
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        [meta_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = HeaderParser().parsestr(wheel.read(meta_name).decode())
    files = [n[len(ROOT) :] for n in names if n.startswith(ROOT)]
    others = [n for n in names if not n.startswith(ROOT) and ".dist-info/" not in n]
    errors += [f"missing {ROOT}{f}" for f in REQUIRED if f not in files]
    errors += [f"should not be packed: {ROOT}{f}" for f in files if f.startswith(FORBIDDEN_PREFIXES)]
    errors += [f"outside the addon: {n}" for n in others]
    if meta["Name"] != DIST:
        errors.append(f"distribution named {meta['Name']!r}, not {DIST!r}")
    version = manifest()["version"]
    if meta["Version"] != version:
        errors.append(f"version {meta['Version']} is not the manifest's {version}")
    requires = {Requirement(r).name: Requirement(r) for r in meta.get_all("Requires-Dist") or []}
    odoo = requires.pop("odoo", None)
    accepted = {v for v in ("17.0", "18.0", "18.0.5", "18.1") if odoo and odoo.specifier.contains(v, prereleases=True)}
    if accepted != {"18.0", "18.0.5"}:
        errors.append(f"Odoo requirement is {odoo}, not Odoo 18.0")
    python_deps = set(manifest()["external_dependencies"]["python"])
    if set(requires) != python_deps:
        errors.append(f"Python requirements {sorted(requires)} are not the manifest's {sorted(python_deps)}")
    for error in errors:
        print(f"wheel: {error}", file=sys.stderr)
    print(f"{Path(path).name}: {len(files)} files, Requires-Dist: {', '.join(meta.get_all('Requires-Dist'))}")
    return not errors


def check_installed():
    """The installed distribution's requirements (but Odoo, used from source) are satisfied."""
    errors = []
    for raw in metadata.requires(DIST) or []:
        req = Requirement(raw)
        if req.name == "odoo":
            continue
        try:
            found = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            errors.append(f"{req} is not installed")
            continue
        if not req.specifier.contains(found, prereleases=True):
            errors.append(f"{req} is not satisfied by {found}")
    for error in errors:
        print(f"wheel: {error}", file=sys.stderr)
    return not errors


if __name__ == "__main__":
    ok = check_installed() if sys.argv[1:] == ["--installed"] else check_wheel(sys.argv[1])
    sys.exit(0 if ok else 1)
