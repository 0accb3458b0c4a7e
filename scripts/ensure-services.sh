#!/usr/bin/env bash
# Makes PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer before the test run:
# start them from the installed binaries, or install them with apt-get when missing.
# Best effort: if a service still cannot be had, the test run says clearly which suites it skips.
set -u

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
wait_for() { for _ in $(seq 1 30); do answers "$1" && return 0; sleep 0.5; done; return 1; }
apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" = 0 ] || return 1
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

if answers 5432; then
  echo "ensure-services: PostgreSQL answers on 127.0.0.1:5432"
else
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL"
    apt_install postgresql || echo "ensure-services: could not install PostgreSQL"
  fi
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    if wait_for 5432; then
      # Trust auth on loopback and a `test` database, as on the development machines.
      runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 ||
        runuser -u postgres -- createdb test 2>/dev/null || true
      echo "ensure-services: PostgreSQL started"
    else
      echo "ensure-services: PostgreSQL did not start; the test run will use or start a throwaway server"
    fi
  fi
fi

if answers 6379; then
  echo "ensure-services: Redis answers on 127.0.0.1:6379"
else
  command -v redis-server >/dev/null 2>&1 || { echo "ensure-services: installing Redis"; apt_install redis-server || echo "ensure-services: could not install Redis"; }
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
    wait_for 6379 && echo "ensure-services: Redis started" || echo "ensure-services: Redis did not start"
  fi
fi

# Browser tests drive Debian's Chromium (never a downloaded browser).
if [ -x /usr/bin/chromium ]; then
  echo "ensure-services: Chromium present"
else
  echo "ensure-services: installing Chromium"
  apt_install chromium || echo "ensure-services: could not install Chromium; the browser suite will say it is skipped"
fi
exit 0
