"""Run an Odoo addon linter on this addon under its technical name.

    python tools/lint_addon.py pylint [options]
    python tools/lint_addon.py oca-checks-odoo-module [options]

The linters name an addon after its directory, and OCA's module checks look for the
manifest below the repository's top directory only; this addon is the repository
root, in a clone named anything. So the files git tracks are copied, as they are in
the work tree, into ``<tmp>/tusfacturas_cuenta_corriente`` inside a folder marked as
a repository, and linted there; reported paths are given back relative to the
repository. Used by pre-commit (.pre-commit-config.yaml).
"""

import os
import shutil
import subprocess
import sys
import tempfile

ADDON = "tusfacturas_cuenta_corriente"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(tool, *args):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, ".git"))  # the top directory, for OCA's checks
        for name in filter(None, files.split("\0")):
            source, target = os.path.join(ROOT, name), os.path.join(tmp, ADDON, name)
            if os.path.isfile(source):  # not deleted in the work tree
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(source, target)
        if tool == "pylint":
            command = [sys.executable, "-m", "pylint", f"--rcfile={os.path.join(ROOT, '.pylintrc')}", *args, ADDON]
        else:
            command = [os.path.join(os.path.dirname(sys.executable), tool), *args, ADDON]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
    for stream, text in ((sys.stdout, done.stdout), (sys.stderr, done.stderr)):
        stream.write(text.replace(f"{tmp}/", "").replace(f"{ADDON}/", ""))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
