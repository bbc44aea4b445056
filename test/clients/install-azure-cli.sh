#!/usr/bin/env bash
# Installs the Azure CLI the client tests run, pinned by test/clients/requirements-azure-cli.txt,
# into a virtual environment in .cache/azure-cli-venv (git-ignored). The venv is reused while the
# requirements file is unchanged (its sha256 is kept in the venv), and made anew when it changes.
# Prints the az to run on its last line. Needs Python 3.10 to 3.13 with venv (Debian: apt-get install python3-venv).
# Override the folder with AZURE_NAT_RULES_AZ_VENV, the Python with AZURE_NAT_RULES_PYTHON.
set -euo pipefail
cd "$(dirname "$0")/../.."
REQUIREMENTS=test/clients/requirements-azure-cli.txt
VENV="${AZURE_NAT_RULES_AZ_VENV:-.cache/azure-cli-venv}"
STAMP="$VENV/requirements.sha256"
WANT="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"

if [[ -x "$VENV/bin/az" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
    echo "azure-cli: reusing $VENV (requirements unchanged)" >&2
    echo "$VENV/bin/az"
    exit 0
fi

# The requirements were frozen on Python 3.11; azure-cli supports 3.10 to 3.13.
PYTHON="${AZURE_NAT_RULES_PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
    for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
    done
fi
if [[ -z "$PYTHON" ]]; then
    echo "install-azure-cli: no Python found (tried python3.11, python3.12, python3.13, python3.10, python3). Install Python 3.11 with venv (Debian/Ubuntu: apt-get install python3 python3-venv), or set AZURE_NAT_RULES_PYTHON to one." >&2
    exit 1
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "install-azure-cli: $PYTHON (AZURE_NAT_RULES_PYTHON) is not a command. Install Python 3.11 with venv (Debian/Ubuntu: apt-get install python3 python3-venv), or point AZURE_NAT_RULES_PYTHON at one." >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)'; then
    echo "install-azure-cli: $PYTHON is Python $("$PYTHON" -c 'import platform; print(platform.python_version())'); the pinned azure-cli needs 3.10 to 3.13. Install Python 3.11, or set AZURE_NAT_RULES_PYTHON to one." >&2
    exit 1
fi

start=$(date +%s)
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
if ! "$PYTHON" -m venv "$VENV"; then
    echo "install-azure-cli: '$PYTHON -m venv' failed. Install the venv module (Debian/Ubuntu: apt-get install python3-venv, or python3.11-venv)." >&2
    rm -rf "$VENV"
    exit 1
fi
echo "azure-cli: installing $(grep -c '==' "$REQUIREMENTS") pinned packages into $VENV (a few minutes the first time)" >&2
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS" >&2; then
    echo "install-azure-cli: pip could not install $REQUIREMENTS from PyPI (see above). Check that PyPI can be reached." >&2
    rm -rf "$VENV"
    exit 1
fi
echo "$WANT" > "$STAMP"
echo "azure-cli: installed in $(( $(date +%s) - start )) s" >&2
echo "$VENV/bin/az"
