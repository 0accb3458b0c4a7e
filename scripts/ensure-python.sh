#!/usr/bin/env bash
# Makes Debian's Python packages for the seeds' examples (examples/python-flask, python-django)
# importable before the test run: apt-get install them when missing and we may (root with apt).
# Best effort: when they cannot be had, examples/test/python-seeds.test.ts says SKIPPED and why.
set -u
packages="python3 python3-flask python3-jwt python3-authlib python3-requests python3-django"
modules="flask jwt authlib requests django"

have_all() {
  [ -x /usr/bin/python3 ] || return 1
  for m in $modules; do /usr/bin/python3 -c "import $m" >/dev/null 2>&1 || return 1; done
}

if have_all; then
  echo "ensure-python: the seeds' Python modules are present"
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "ensure-python: installing $packages"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null 2>&1 || true
  have_all && echo "ensure-python: installed" || echo "ensure-python: could not install them; the Python examples suite will say SKIPPED"
else
  echo "ensure-python: missing and not installable here (needs root and apt-get); the Python examples suite will say SKIPPED"
fi
exit 0
