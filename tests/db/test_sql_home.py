"""All SQL lives in shared/db: no query is built anywhere else.

import-linter keeps SQLAlchemy imports out of services and workers; this
catches what needs no import (a session's ``add``, ``get`` or ``execute``).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(
    r"\bsession\.(add|add_all|get|execute|scalars?|query|delete)\(|(?<![.\w])(select|insert|update)\(\w|"
    r"\.group_by\("
)


def test_no_sql_outside_shared_db():
    offenders = []
    for folder in ("services", "workers", "shared"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] in (("shared", "db"), ("shared", "mathcore")):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SQL.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
