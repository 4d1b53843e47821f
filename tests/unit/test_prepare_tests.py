"""scripts/prepare-tests asks for exactly what is missing, in a fake machine.

Each test builds a machine in a temporary directory: a PATH holding only a few real utilities
and fake apt-get, psql, pg_isready, pg_ctlcluster, redis-cli, redis-server, runuser, sudo, npm and id written as small
shell scripts that log their arguments. The fake apt-get "installs" a package by putting its fake
commands on that PATH, so what the script does after an install is tested too. Nothing here needs
root or touches the real system.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "prepare-tests"
BASH = shutil.which("bash")
# The real commands the script and the fakes use; anything else is absent from the fake PATH.
REAL = [
    "bash",
    "basename",
    "cat",
    "chmod",
    "cp",
    "dirname",
    "env",
    "mkdir",
    "sed",
    "seq",
    "sleep",
    "sort",
    "tail",
    "touch",
    "true",
]

# Each fake logs "name args..." to $FAKE_LOG first; $FAKE_STATE holds the fake PostgreSQL's state.
FAKES = {
    "id": 'echo "$FAKE_UID"',
    "npm": "",
    "runuser": 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"',
    "sudo": 'while [ "${1:-}" = -n ] || [ "${1:-}" = -u ]; do [ "$1" = -u ] && shift; shift; done; exec "$@"',
    "pg_ctlcluster": 'touch "$FAKE_STATE/running"',
    "pg_isready": '[ -e "$FAKE_STATE/running" ]',
    "redis-cli": '[ -e "$FAKE_STATE/redis-running" ]',
    "redis-server": 'touch "$FAKE_STATE/redis-running"',
    # Over TCP (-h) a fresh cluster wants a password, once one is set; over the socket it lets the
    # postgres user in, which is how the script sets that password.
    "psql": """
[ -e "$FAKE_STATE/running" ] || exit 2
case " $* " in
  *" -h "*)
    if [ -e "$FAKE_STATE/wants-password" ]; then
      [ -e "$FAKE_STATE/password-set" ] && [ "${PGPASSWORD:-}" = postgres ] || exit 2
    fi ;;
  *"ALTER USER postgres PASSWORD 'postgres'"*) touch "$FAKE_STATE/password-set" ;;
esac
""",
    # Installing a package puts what it brings on the fake machine.
    "apt-get": """
[ "$1" = update ] && exit 0
for package in "$@"; do
  case "$package" in
    chromium) touch "$PORTAL_CHROMIUM"; chmod +x "$PORTAL_CHROMIUM" ;;
    npm) cp "$FAKE_AVAILABLE/npm" "$FAKE_BIN/" ;;
    postgresql)
      cp "$FAKE_AVAILABLE"/psql "$FAKE_AVAILABLE"/pg_isready "$FAKE_AVAILABLE"/pg_ctlcluster "$FAKE_BIN/"
      mkdir -p "$PG_CONFIG_DIR/15/main"
      touch "$FAKE_STATE/wants-password" ;;
    redis-server) cp "$FAKE_AVAILABLE/redis-cli" "$FAKE_AVAILABLE/redis-server" "$FAKE_BIN/" ;;
  esac
done
""",
}


@dataclass
class Machine:
    root: Path
    uid: int = 0
    database_url: str | None = None

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def chromium(self) -> Path:
        return self.root / "usr-bin" / "chromium"

    @property
    def url_file(self) -> Path:
        return self.root / "var" / "test-database-url"

    @property
    def pg_config(self) -> Path:
        return self.root / "etc-postgresql"

    def add(self, *commands: str) -> None:
        for name in commands:
            shutil.copy(self.root / "available" / name, self.bin / name)

    def with_chromium(self) -> None:
        self.chromium.touch(mode=0o755)

    def with_postgres(self, running: bool = True) -> None:
        self.add("psql", "pg_isready", "pg_ctlcluster")
        (self.pg_config / "15" / "main").mkdir(parents=True)
        if running:
            (self.root / "state" / "running").touch()

    def with_redis(self, running: bool = True) -> None:
        self.add("redis-cli", "redis-server")
        if running:
            (self.root / "state" / "redis-running").touch()

    def with_everything(self) -> None:
        self.add("apt-get", "npm", "runuser")
        self.with_chromium()
        self.with_postgres()
        self.with_redis()

    def run(self) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": str(self.bin),
            "HOME": str(self.root),
            "FAKE_UID": str(self.uid),
            "FAKE_LOG": str(self.root / "log"),
            "FAKE_STATE": str(self.root / "state"),
            "FAKE_BIN": str(self.bin),
            "FAKE_AVAILABLE": str(self.root / "available"),
            "PORTAL_CHROMIUM": str(self.chromium),
            "PG_CONFIG_DIR": str(self.pg_config),
            "PORTAL_TEST_URL_FILE": str(self.url_file),
            "PG_WAIT_SECONDS": "2",
        }
        if self.database_url:
            env["PORTAL_TEST_DATABASE_URL"] = self.database_url
        return subprocess.run([BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)

    def log(self) -> list[str]:
        path = self.root / "log"
        return path.read_text().splitlines() if path.exists() else []

    def calls(self, name: str) -> list[str]:
        return [line for line in self.log() if line.split(" ", 1)[0] == name]

    def installed(self) -> list[list[str]]:
        """The packages of each `apt-get install`, through sudo or not."""
        result = []
        for line in self.log():
            words = line.split()
            if words[0] == "apt-get" and "install" in words:
                after = words[words.index("install") :]
                # Package names: neither an option nor the value of an -o option.
                result.append(
                    [w for before, w in zip(after, after[1:], strict=False) if w[0] != "-" and before != "-o"]
                )
        return result


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    for folder in ("bin", "available", "state", "usr-bin", "etc-postgresql"):
        (tmp_path / folder).mkdir()
    for name in REAL:
        (tmp_path / "bin" / name).symlink_to(shutil.which(name))
    for name, body in FAKES.items():
        fake = tmp_path / "available" / name
        fake.write_text(f'#!{BASH}\necho "{name} $*" >>"$FAKE_LOG"\n{body}\n')
        fake.chmod(0o755)
    made = Machine(tmp_path)
    made.add("id")
    return made


def test_everything_present_installs_nothing(machine: Machine) -> None:
    machine.with_everything()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == []
    assert machine.calls("apt-get") == [] and machine.calls("pg_ctlcluster") == []
    psql = " ".join(machine.calls("psql"))
    assert "DROP DATABASE IF EXISTS portal_test" in psql and "CREATE DATABASE portal_test" in psql
    assert machine.url_file.read_text() == "postgresql://postgres@127.0.0.1:5432/portal_test\n"


def test_npm_missing_installs_only_nodejs_and_npm(machine: Machine) -> None:
    machine.with_everything()
    (machine.bin / "npm").unlink()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [["nodejs", "npm"]]


def test_chromium_missing_installs_only_chromium(machine: Machine) -> None:
    machine.with_everything()
    machine.chromium.unlink()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [["chromium"]]
    assert machine.chromium.exists()


def test_fresh_machine_installs_all_starts_postgres_and_sets_its_password(machine: Machine) -> None:
    machine.add("apt-get", "runuser")
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [["chromium", "nodejs", "npm", "postgresql", "redis-server"]]
    assert machine.calls("redis-server")[0].startswith("redis-server --daemonize yes --bind 127.0.0.1")
    assert machine.calls("pg_ctlcluster") == ["pg_ctlcluster --skip-systemctl-redirect 15 main start"]
    assert any("ALTER USER postgres PASSWORD" in call for call in machine.calls("runuser"))
    assert machine.url_file.read_text() == "postgresql://postgres:postgres@127.0.0.1:5432/portal_test\n"


def test_stopped_postgres_is_started_not_installed(machine: Machine) -> None:
    machine.with_everything()
    (machine.root / "state" / "running").unlink()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == []
    assert machine.calls("pg_ctlcluster") == ["pg_ctlcluster --skip-systemctl-redirect 15 main start"]
    assert machine.url_file.read_text() == "postgresql://postgres@127.0.0.1:5432/portal_test\n"


def test_without_root_or_sudo_says_what_to_install_and_stops(machine: Machine) -> None:
    machine.uid = 1000
    machine.add("apt-get")
    machine.with_postgres()
    machine.with_redis()
    done = machine.run()
    assert done.returncode != 0
    assert "sudo apt-get install -y chromium nodejs npm\n" in done.stderr
    assert machine.calls("apt-get") == []
    assert not any("DATABASE" in call for call in machine.calls("psql"))
    assert not machine.url_file.exists()


def test_without_root_and_without_apt_says_what_to_install_and_stops(machine: Machine) -> None:
    machine.uid = 1000
    machine.add("npm")
    done = machine.run()
    assert done.returncode != 0
    assert "package manager (on Debian or Ubuntu: apt-get install -y chromium postgresql redis-server)" in done.stderr
    assert machine.log() == ["id -u"]


def test_without_root_installs_through_sudo(machine: Machine) -> None:
    machine.uid = 1000
    machine.with_everything()
    machine.add("sudo")
    (machine.bin / "npm").unlink()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [["nodejs", "npm"]]
    assert any(
        call.startswith("sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install") for call in machine.calls("sudo")
    )


def test_without_root_a_stopped_postgres_is_not_started_but_explained(machine: Machine) -> None:
    machine.uid = 1000
    machine.with_everything()
    (machine.root / "state" / "running").unlink()
    done = machine.run()
    assert done.returncode != 0
    assert "sudo pg_ctlcluster 15 main start" in done.stderr
    assert "PORTAL_TEST_DATABASE_URL" in done.stderr
    assert machine.calls("pg_ctlcluster") == []
    assert not machine.url_file.exists()


def test_a_database_url_set_by_the_developer_is_used_as_it_is(machine: Machine) -> None:
    machine.add("apt-get", "npm")
    machine.with_chromium()
    machine.with_redis()
    machine.database_url = "postgresql://me:secret@db.example.org:5433/mine"
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [] and machine.calls("psql") == []
    assert machine.url_file.read_text() == "postgresql://me:secret@db.example.org:5433/mine\n"


def test_a_stopped_redis_is_started_not_installed(machine: Machine) -> None:
    machine.with_everything()
    (machine.root / "state" / "redis-running").unlink()
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == []
    assert len(machine.calls("redis-server")) == 1


def test_a_redis_url_set_by_the_developer_leaves_redis_alone(machine: Machine, monkeypatch) -> None:
    machine.add("apt-get", "npm", "runuser")
    machine.with_chromium()
    machine.with_postgres()
    monkeypatch.setenv("PORTAL_TEST_REDIS_URL", "redis://cache.example.org:6379/3")
    real_run = subprocess.run

    def run_with_url(command, env, **kwargs):
        return real_run(command, env={**env, "PORTAL_TEST_REDIS_URL": "redis://cache.example.org:6379/3"}, **kwargs)

    monkeypatch.setattr(subprocess, "run", run_with_url)
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.installed() == [] and machine.calls("redis-server") == []
