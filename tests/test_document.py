"""Hostile and unreadable input: each fails fast with one clear, located line.

Every file is generated in ``tmp_path`` at test time; none is committed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from zopa.errors import Problem, ScenarioError
from zopa.scenario import document, load_scenario
from zopa.scenario.document import MAX_BYTES, MAX_DEPTH, read_document

FAST = 1.0
"""Seconds any rejection may take (they take milliseconds; the margin is for slow CI machines)."""

PARSERS = ["libyaml", "python"]
BINARY = "binary data (a NUL byte), not a YAML or JSON scenario"
AS_UTF8 = "save the file as UTF-8"
NOT_REGULAR = "not a regular file (a pipe, a device or a socket); give a file"


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser (if PyYAML has it) and with the pure-Python one."""
    if request.param == "python":
        monkeypatch.setattr(document, "_FastLoader", None)
    elif document._FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    return str(request.param)


def rejected(path: Path, load: Callable[[Path], object] = load_scenario) -> Problem:
    """The single problem reported for ``path``, checking that it came fast."""
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load(path)
    elapsed = time.perf_counter() - start
    assert elapsed < FAST, f"took {elapsed:.2f} s"
    assert len(info.value.problems) == 1, info.value.problems
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert "\n" not in str(problem)
    return problem


def alias_bomb(levels: int = 10, width: int = 10) -> str:
    """"Billion laughs": each level holds ``width`` aliases of the one before (width**levels)."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_fails_fast(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    problem = rejected(path)
    assert problem.path == "<yaml>"
    assert "alias bomb" in problem.message


def test_alias_bomb_in_json_cannot_happen(tmp_path: Path) -> None:
    """JSON has no aliases: the same text is just invalid JSON."""
    path = tmp_path / "bomb.json"
    path.write_text(alias_bomb(3, 3))
    assert rejected(path).message.startswith("invalid JSON")


def test_harmless_aliases_are_fine(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(alias_bomb(3, 3))
    assert read_document(path).data["l2"][2][1] == ["lol"] * 3


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &x {b: *x}\n", "&r [1, [2, *r]]\n"])
def test_recursive_alias(tmp_path: Path, parser: str, text: str) -> None:
    path = tmp_path / "recursive.yaml"
    path.write_text(text)
    assert rejected(path).message == "a recursive alias (an anchor used inside itself)"


def test_huge_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB that take no disk space

    def no_reading(*args: object, **kwargs: object) -> object:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(os, "open", no_reading)
    problem = rejected(path)
    assert problem.path == "<file>"
    assert problem.message == (
        f"file is 104,857,600 bytes; a scenario file is limited to {MAX_BYTES:,} bytes "
        "(split it into smaller files)"
    )


def test_file_just_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_BYTES + 1))
    assert "limited to" in rejected(path).message


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"meta:\n  title: x\x00y\n", 2, BINARY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, BINARY),
        (b"\x89PNG\r\n\x1a\n", 1, f"not UTF-8 text (byte 0x89); {AS_UTF8}"),
        (b"meta:\n  title: caf\xe9\n", 2, f"not UTF-8 text (byte 0xe9); {AS_UTF8}"),
        (b"\xff\xfe\x00m\x00e", 1, BINARY),  # UTF-16
    ],
)
def test_binary_and_invalid_utf8(tmp_path: Path, content: bytes, line: int, message: str) -> None:
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"binary{suffix}"
        path.write_bytes(content)
        problem = rejected(path)
        assert (problem.line, problem.path, problem.message) == (line, "<file>", message)


def test_random_bytes(tmp_path: Path) -> None:
    rng = np.random.default_rng(20240325)
    for trial in range(20):
        path = tmp_path / f"random{trial}.yaml"
        path.write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
        problem = rejected(path)
        assert problem.path == "<file>"
        assert problem.message.startswith(("binary data", "not UTF-8 text"))


def test_control_characters_in_text(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "control.yaml"
    path.write_text("meta:\n  title: bell\x07\n")
    problem = rejected(path)
    assert problem.path == "<yaml>"
    assert problem.message.startswith("invalid YAML")
    assert problem.line == 2


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 10_000, 200_000])
def test_deep_nesting_yaml(tmp_path: Path, parser: str, levels: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * levels + "]" * levels)
    problem = rejected(path)
    assert problem.message == f"nesting too deep (more than {MAX_DEPTH} levels)"


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 10_000, 200_000])
def test_deep_nesting_json(tmp_path: Path, levels: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' * levels + "1" + "}" * levels)
    problem = rejected(path)
    assert problem.message == f"nesting too deep (more than {MAX_DEPTH} levels)"


def test_deep_block_nesting(tmp_path: Path, parser: str) -> None:
    """Indentation nests too; 2,000 levels fit in 4 MB."""
    path = tmp_path / "deep-block.yaml"
    path.write_text("".join(" " * level + "a:\n" for level in range(2000)))
    assert rejected(path).message == f"nesting too deep (more than {MAX_DEPTH} levels)"


def test_nesting_at_the_limit_is_read(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "limit.yaml"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert read_document(path).data is not None


def test_directory(tmp_path: Path) -> None:
    problem = rejected(tmp_path)
    assert (problem.line, problem.path, problem.message) == (
        None,
        "<file>",
        "is a directory, not a scenario file",
    )


def test_missing_file(tmp_path: Path) -> None:
    problem = rejected(tmp_path / "nowhere.yaml")
    assert str(problem) == f"{tmp_path / 'nowhere.yaml'}: <file>: no such file"


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("meta: {}\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        problem = rejected(path)
        assert problem.message == "cannot read: Permission denied"
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_not_opened(tmp_path: Path) -> None:
    """Opening a FIFO with no writer would block forever."""
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    assert rejected(path).message == NOT_REGULAR


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        ("  \n\n\t\n", "file is empty"),
        ("# only a comment\n", "file holds no YAML document"),
    ],
)
def test_empty_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(content)
    assert rejected(path).message == message


def test_many_values_without_aliases_are_refused(tmp_path: Path) -> None:
    """A flat list of more values than any scenario holds is refused by the same cap."""
    path = tmp_path / "many.yaml"
    path.write_text("[" + ",".join(["0"] * (document.MAX_NODES + 10)) + "]")
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="more than 500,000 values: far too large"):
        load_scenario(path)
    assert time.perf_counter() - start < 5


def test_yes_and_no_stay_text(tmp_path: Path) -> None:
    """YAML 1.1 reads yes/no/on/off as booleans; a scenario's votes and ids need them as text."""
    path = tmp_path / "votes.yaml"
    path.write_text("votes: {m1: yes, m2: no, NO: on, m3: off}\nflags: [true, false, True]\n")
    data = read_document(path).data
    assert data == {"votes": {"m1": "yes", "m2": "no", "NO": "on", "m3": "off"},
                    "flags": [True, False, True]}


def test_dates_stay_text_until_validated(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("a: 2024-03-25\nb: 2024-02-30\n")
    assert read_document(path).data == {"a": "2024-03-25", "b": "2024-02-30"}


def test_lines_of_fields(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "lines.yaml"
    path.write_text("a:\n  - x: 1\n\n  - {y: 2,\n     z: 3}\nb: [4,\n  5]\n")
    doc = read_document(path)
    assert doc.line_of(("a", 0, "x")) == 2
    assert doc.line_of(("a", 1)) == 4
    assert doc.line_of(("a", 1, "z")) == 5
    assert doc.line_of(("b", 1)) == 7
    assert doc.line_of(("a", 1, "missing")) == 4  # the deepest part that exists
    assert doc.line_of(()) == 1


def test_json_lines_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    path.write_text('{\n\t"a": [\n\t\t{"x": 1},\n\t\t{"y": 2}\n\t],\n\t"b": "t"\n}\n')
    doc = read_document(path)
    assert doc.line_of(("a", 1, "y")) == 4
    assert doc.line_of(("b",)) == 6


def test_aliases_cannot_nest_past_the_limit(tmp_path: Path, parser: str) -> None:
    """Each level is shallow in the text, but expanding the aliases nests 3 x 40 levels."""
    deep = "[" * 40 + "]" * 40
    path = tmp_path / "alias-depth.yaml"
    inner, outer = deep[:39], deep[40:]
    path.write_text(f"a: &a {deep}\nb: &b [{inner} *a {outer}\nc: [{inner} *b {outer}\n")
    assert rejected(path).message == f"nesting too deep (more than {MAX_DEPTH} levels)"


@pytest.mark.parametrize(
    ("text", "line", "path", "message"),
    [
        ("a:\n  b: " + "7" * 4301 + "\n", 2, "a.b",
         "a whole number of 4,301 digits; numbers are limited to 4,300 digits"),
        ("a: [1, -" + "7_" * 4400 + "7]\n", 1, "a.1",
         "a whole number of 4,401 digits; numbers are limited to 4,300 digits"),
        ("a:\n  - 0x" + "f" * 3600 + "\n", 2, "a.0",
         "a hexadecimal number of 3,600 digits; hexadecimal numbers are limited to 3,498 digits"),
        ("a:\n  - 1" + ":59" * 1500 + "\n", 2, "a.0",  # YAML 1.1's base 60: 60**1500
         "a whole number written with 4,501 characters; whole numbers are limited to 4,300"),
        ("? " + "1" * 5000 + "\n: x\n", 1, "11111111111111111111111111111111111111111",
         "a whole number of 5,000 digits; numbers are limited to 4,300 digits"),
    ],
)
def test_long_whole_numbers_in_yaml(
    tmp_path: Path, parser: str, text: str, line: int, path: str, message: str
) -> None:
    """int() refuses more than 4,300 digits with a bare ValueError, and is slow before that."""
    file = tmp_path / "long.yaml"
    file.write_text(text)
    problem = rejected(file)
    assert (problem.line, problem.message) == (line, message)
    assert problem.path.startswith(path[:40])


def test_long_whole_number_in_json(tmp_path: Path) -> None:
    file = tmp_path / "long.json"
    file.write_text('{"a": [1,\n  2,\n  -' + "5" * 4400 + "]}")
    problem = rejected(file)
    assert (problem.line, problem.path, problem.message) == (
        3, "a.2", "a whole number of 4,400 digits; numbers are limited to 4,300 digits")


def test_long_whole_number_in_json_that_yaml_cannot_place(tmp_path: Path) -> None:
    """A key over 1,024 characters is JSON but not YAML: the problem is reported unlocated."""
    file = tmp_path / "long.json"
    file.write_text('{"' + "k" * 2000 + '": ' + "5" * 4400 + "}")
    problem = rejected(file)
    assert (problem.line, problem.path) == (None, "<json>")
    assert problem.message.startswith("a whole number of 4,400 digits")


def test_whole_numbers_at_the_limit_are_read(tmp_path: Path, parser: str) -> None:
    file = tmp_path / "limit.yaml"
    file.write_text(f"a: {'9' * 4300}\n")
    assert read_document(file).data["a"] == int("9" * 4300)


@pytest.mark.parametrize(
    ("text", "line", "path", "message"),
    [
        ("a:\n  b: !!int abc\n", 2, "a.b", "'abc' is not a valid int"),
        ("a:\n  - !!float x\n", 2, "a.0", "'x' is not a valid float"),
        ("a: [1, !!timestamp 2024-02-30]\n", 1, "a.1", "'2024-02-30' is not a valid timestamp"),
        ("a: [1, !!timestamp nonsense]\n", 1, "a.1", "'nonsense' is not a valid timestamp"),
    ],
)
def test_explicit_tags_that_cannot_be_built_are_located(
    tmp_path: Path, parser: str, text: str, line: int, path: str, message: str
) -> None:
    file = tmp_path / "tags.yaml"
    file.write_text(text)
    problem = rejected(file)
    assert (problem.line, problem.path, problem.message) == (line, path, message)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_not_read() -> None:
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(Path("/dev/zero"))


def test_control_characters_in_the_file_name_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "x\x1b[31m\n.yaml"
    path.write_text("a: [\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = info.value.problems[0]
    assert problem.file == str(tmp_path / "x\\x1b[31m\\n.yaml")
    assert str(info.value).isprintable()


def test_read_document_takes_a_smaller_cap(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(ScenarioError, match="limited to 100 bytes"):
        read_document(path, max_bytes=100)
