"""Plain-language errors, never a traceback; help texts; dashed answers."""

from __future__ import annotations

from typing import get_args

import pytest

from services.cli import KINDS, METHODS, TESTS, _dashed_positionals, build_parser


def assert_plain(done, code: int, *phrases: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for phrase in phrases:
        assert phrase in done.stderr, done.stderr


@pytest.mark.postgres
def test_no_server_is_one_plain_line(offline_cli):
    done = offline_cli.run("submit", "derivative", "--param", "expression=x^2")
    assert_plain(done, 3, "cannot reach the mlcalc service", "MLCALC_URL")


@pytest.mark.postgres
def test_bad_json_and_a_missing_file(offline_cli, tmp_path):
    done = offline_cli.run("submit", "derivative", "--params", "{expression: x}")
    assert_plain(done, 1, "--params is not valid JSON", "at character 2")
    done = offline_cli.run("submit", "derivative", "--params", "[1, 2]")
    assert_plain(done, 1, "--params must be a JSON object")
    done = offline_cli.run("batch", str(tmp_path / "nope.csv"))
    assert_plain(done, 1, "nope.csv: no such file")
    done = offline_cli.run("check", "--problem", "{not json", "2x")
    assert_plain(done, 1, "--problem is not valid JSON")


def test_an_answer_may_start_with_a_dash():
    parser = build_parser()
    args = parser.parse_args(_dashed_positionals(parser, ["check", "-sin(x)", "-sin x"]))
    assert (args.expected, args.answer, args.test) == ("-sin(x)", "-sin x", "equivalent")
    argv = ["check", "--test", "numeric", "-2", "--variables=x", "-2.0"]
    args = parser.parse_args(_dashed_positionals(parser, argv))
    assert (args.expected, args.answer, args.test, args.variables) == ("-2", "-2.0", "numeric", "x")
    argv = ["check", "--problem", '{"kind": "derivative"}', "-x"]
    args = parser.parse_args(_dashed_positionals(parser, argv))
    assert (args.problem, args.expected) == ('{"kind": "derivative"}', "-x")


def test_help_lists_kinds_tests_and_methods_the_service_has(capsys):
    from shared.jobs.optimizer_options import Method
    from shared.jobs.registry import load_kinds
    from shared.mathcore.checks.answer import TESTS as ENGINE_TESTS

    assert set(KINDS) == {name for name in load_kinds() if not name.startswith("test_")}
    assert TESTS == ENGINE_TESTS
    assert METHODS == get_args(Method)
    for command, words in (("submit", KINDS + METHODS), ("check", TESTS)):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        text = capsys.readouterr().out
        assert all(word in text for word in words), text
        assert "MLCALC_URL" in text and "MLCALC_API_KEY" in text
