"""The CLI as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tandem.cli import app

runner = CliRunner()


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "TANDEM_DATABASE_URL": url}


def test_upgrade_seed_and_create_user(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TANDEM_DATABASE_URL", url)
    from tandem.kit.settings import get_settings

    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        seeded = runner.invoke(app, ["demo", "seed", "--if-empty"])
        assert seeded.exit_code == 0 and "200 customers" in seeded.output
        again = runner.invoke(app, ["demo", "seed", "--if-empty"])
        assert again.exit_code == 0 and "already present" in again.output
        assert runner.invoke(app, ["demo", "seed"]).exit_code == 2
        made = runner.invoke(
            app,
            [
                "users",
                "create",
                "--email",
                "new@desk.example",
                "--name",
                "New Agent",
                "--password",
                "long-enough-pw",
                "--queues",
                "orders,billing",
            ],
        )
        assert made.exit_code == 0, made.output
        bad = runner.invoke(app, ["users", "create", "--email", "nope", "--name", "X", "--password", "short"])
        assert bad.exit_code == 2 and "email" in bad.output and "password" in bad.output
    finally:
        get_settings.cache_clear()


def test_the_desk_refuses_to_start_on_an_unmigrated_database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "serve", "--port", "8799"],
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "tandem db upgrade" in result.stderr


def test_demo_seed_is_deterministic(tmp_path: Path):
    outputs = []
    for name in ("a.db", "b.db"):
        env = _env(f"sqlite:///{tmp_path / name}")
        subprocess.run([sys.executable, "-m", "tandem.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "tandem.cli", "demo", "seed"], env=env, check=True, capture_output=True)
        import sqlite3

        with sqlite3.connect(tmp_path / name) as db:
            outputs.append(
                db.execute("SELECT name, tier, lifetime_value FROM customer ORDER BY id").fetchall()
                + db.execute("SELECT number, status, total FROM shop_order ORDER BY id").fetchall()
            )
    assert outputs[0] == outputs[1]
    statuses = {row[1] for row in outputs[0][200:]}
    assert {"processing", "shipped", "delivered", "delayed", "cancelled", "refunded"} <= statuses
