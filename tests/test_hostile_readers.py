"""Every reader survives hostile input (issue 10): one located line, exit code 2, no traceback.

Each test keeps one attack of the tester's report: special files (FIFOs, ``/dev/zero``), sizes
past the caps, text that is not UTF-8, hostile CSV, XML encodings, non-finite and negative numbers,
control characters and terminal escapes in names and cells, and sizes that made a step quadratic.
Small inputs live in tests/data/hostile/; big and special files are made here, with small caps
(monkeypatched) where a real file would be slow. :func:`zopa.files.write_atomic` is tested at the
end.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from zopa import inputs
from zopa.cli.app import app
from zopa.errors import Problem, ScenarioError, UsageError
from zopa.files import write_atomic
from zopa.importers import output, table
from zopa.importers.decide import import_decide, read_decide
from zopa.importers.genius import load_genius_folder, parse_xml
from zopa.importers.output import make_ids
from zopa.importers.table import MAX_TABLE_BYTES, Row, Table, check_rows, import_table, read_table
from zopa.inputs import printable, read_bytes_file, read_text_file, shown
from zopa.scenario.distinct import repeated_items
from zopa.scenario.document import read_document
from zopa.scenario.loader import load_scenario

HOSTILE = Path(__file__).parent / "data" / "hostile"
TRUCE = Path(__file__).parent / "data" / "genius" / "Truce"
HEADER = "actor,capability,position,salience\n"
NOT_REGULAR = "not a regular file (a pipe, a device or a socket); give a file"
runner = CliRunner()

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")


def refused(call: Callable[[], object]) -> Problem:
    """The one problem ``call`` reports, checked to be one printable line."""
    with pytest.raises(ScenarioError) as info:
        call()
    assert len(info.value.problems) == 1, info.value.problems
    problem = info.value.problems[0]
    assert str(problem).isprintable(), repr(str(problem))
    return problem


def cli_refuses(argv: list[str]) -> str:
    """Run zopa; check exit code 2, no traceback, one printable error line on stderr (after any
    notes); return it."""
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("note: ")]
    assert len(lines) == 1, lines
    assert lines[0].isprintable(), repr(lines[0])
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe nobody writes to: opening it plainly would block forever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes")
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    yield path


# --- one safe reader: special files, sizes, encodings --------------------------------------------


@pytest.mark.parametrize("reader", [import_table, import_decide, read_document],
                         ids=["table", "decide", "scenario"])
def test_fifo_is_refused_without_blocking(fifo: Path, reader: Callable[[Path], object]) -> None:
    problem = refused(lambda: reader(fifo))
    assert (problem.file, problem.path, problem.message) == (str(fifo), "<file>", NOT_REGULAR)


@needs_dev_zero
@pytest.mark.parametrize("reader", [import_table, import_decide, read_document],
                         ids=["table", "decide", "scenario"])
def test_dev_zero_is_refused(reader: Callable[[Path], object]) -> None:
    assert refused(lambda: reader(Path("/dev/zero"))).message == NOT_REGULAR


@needs_fifo
def test_fifo_inside_a_genius_folder(tmp_path: Path) -> None:
    folder = tmp_path / "Truce"
    shutil.copytree(TRUCE, folder)
    os.mkfifo(folder / "zz_pipe.xml")
    problem = refused(lambda: load_genius_folder(folder))
    assert problem.file == str(folder / "zz_pipe.xml") and problem.message == NOT_REGULAR


@needs_dev_zero
def test_dev_zero_linked_into_a_genius_folder(tmp_path: Path) -> None:
    folder = tmp_path / "Truce"
    shutil.copytree(TRUCE, folder)
    (folder / "zero.xml").symlink_to("/dev/zero")
    assert refused(lambda: load_genius_folder(folder)).message == NOT_REGULAR


@needs_fifo
@pytest.mark.parametrize("command", ["import-table", "import-decide", "validate"])
def test_cli_on_a_fifo(fifo: Path, command: str) -> None:
    assert cli_refuses([command, str(fifo)]) == f"{fifo}: <file>: {NOT_REGULAR}"


@pytest.mark.parametrize("reader", [import_table, import_decide], ids=["table", "decide"])
def test_size_cap_is_checked_before_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: Callable[[Path], object]
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_TABLE_BYTES + 1)  # sparse: takes no disk space

    def no_opening(*args: object, **kwargs: object) -> int:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(os, "open", no_opening)
    message = refused(lambda: reader(path)).message
    assert message.startswith(f"file is {MAX_TABLE_BYTES + 1:,} bytes; ")
    assert f"limited to {MAX_TABLE_BYTES:,} bytes (split " in message


def test_genius_xml_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path / "big.xml", "<utility_space>" + " " * 2000 + "</utility_space>")
    message = refused(lambda: parse_xml(path, max_bytes=1000)).message
    assert message.startswith("file is 2,031 bytes; a GENIUS XML file is limited to 1,000 bytes")


def test_a_file_that_grows_after_the_check_is_cut_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader reads at most the cap plus one byte, whatever stat said."""
    path = tmp_path / "growing.csv"
    path.write_bytes(b"x" * 5000)
    small = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 10, 0, 0, 0))
    monkeypatch.setattr(os, "fstat", lambda fd: small)
    monkeypatch.setattr(Path, "stat", lambda self, **kw: small)
    message = refused(lambda: read_bytes_file(path, max_bytes=100, what="a table",
                                              hint="split it")).message
    assert message == "file is larger than 100 bytes; a table is limited to 100 bytes (split it)"


@pytest.mark.parametrize(
    ("name", "reader", "line", "message"),
    [
        ("latin1_table.csv", import_table, 3, "not UTF-8 text (byte 0xf4); save the file as UTF-8"),
        ("decide_latin1.txt", import_decide, 2,
         "not UTF-8 text (byte 0xfc); save the file as UTF-8"),
        ("binary_table.csv", import_table, 3, "binary data (a NUL byte), not a CSV table"),
    ],
)
def test_text_that_is_not_utf8(
    name: str, reader: Callable[[Path], object], line: int, message: str
) -> None:
    problem = refused(lambda: reader(HOSTILE / name))
    assert (problem.line, problem.path, problem.message) == (line, "<file>", message)


def test_random_bytes_as_a_table(tmp_path: Path) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(bytes(range(256)) * 16)
    assert refused(lambda: import_table(path)).message.startswith("binary data")


def test_cli_latin1_table() -> None:
    line = cli_refuses(["import-table", str(HOSTILE / "latin1_table.csv")])
    assert line.endswith("latin1_table.csv:3: <file>: not UTF-8 text (byte 0xf4); save the file "
                         "as UTF-8")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert refused(lambda: import_table(tmp_path / "nowhere.csv")).message == "no such file"
    assert refused(lambda: import_decide(tmp_path)).message == "is a directory, not a decide file"


# --- CSV tables -----------------------------------------------------------------------------------


def test_cell_over_the_csv_field_limit(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    path = write(tmp_path / "cell.csv", f"{HEADER}A,1,2,0.5\nB,{'9' * (limit + 1)},2,0.5\n")
    problem = refused(lambda: import_table(path))
    assert (problem.line, problem.path) == (3, "row")
    assert problem.message.startswith(f"a cell of more than {limit:,} characters; cells are "
                                      f"limited to {limit:,} characters")


def test_quote_left_open_names_the_line_it_opens(tmp_path: Path) -> None:
    rows = "x,1,2,0.5\n" * (csv.field_size_limit() // 9)
    path = write(tmp_path / "quote.csv", f'{HEADER}A,1,2,0.5\n"B,1,2,0.5\n{rows}')
    problem = refused(lambda: import_table(path))
    assert problem.line == 3 and "is a quote left open on this line?" in problem.message


def test_hostile_header_does_not_stall_the_sniffer(tmp_path: Path) -> None:
    """csv.Sniffer's regular expressions take minutes on 100,000 characters of ',"'."""
    path = write(tmp_path / "sniff.csv", ',"' * 50_000 + "\n")
    assert "missing column" in refused(lambda: import_table(path)).message


def test_empty_issue_name_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", f"{HEADER}A,1,2,0.5\nB,1,3,0.5\n")
    for name in ("", "  "):
        with pytest.raises(UsageError, match="the issue needs a name"):
            import_table(path, issue_name=name)
    line = cli_refuses(["import-table", str(path), "--issue", ""])
    assert line.startswith("error: the issue needs a name")


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "MAX_TABLE_ROWS", 100)
    path = write(tmp_path / "rows.csv", HEADER + "".join(f"A{k},1,2,0.5\n" for k in range(101)))
    problem = refused(lambda: import_table(path))
    assert problem.line == 102
    assert problem.message.startswith("more than 100 rows; a table is limited to 100 rows (split")


def test_100000_rows_are_read_in_linear_time(tmp_path: Path) -> None:
    """Reading and checking 100,000 rows and making their ids are linear (ids were quadratic:
    10,000 rows took 3 s, 100,000 minutes)."""
    path = write(tmp_path / "big.csv",
                 HEADER + "".join(f"Actor {k % 7},1,{k % 100},0.5\n" for k in range(100_000)))
    read = read_table(path)
    assert len(read.rows) == 100_000 and len(read.actor_names) == 7
    ids = make_ids([f"Same name {k % 3}" if k % 2 else "Same name" for k in range(100_000)], "a")
    assert len(set(ids)) == 100_000 and max(map(len, ids)) <= 64


def test_ids_of_many_long_alike_names_stay_valid() -> None:
    ids = make_ids(["x" * 80] * 20_000, "actor")
    assert len(set(ids)) == 20_000
    assert ids[:2] == ["x" * 60, "x" * 60 + "_2"]
    assert ids[-1] == "x" * 58 + "_20000" and max(map(len, ids)) == 64


def test_check_rows_groups_by_issue_once() -> None:
    """One row per issue for 100,000 issues: scanning every row per issue was quadratic."""
    rows = [Row(k + 2, f"a{k % 5}", f"issue {k}", float(k % 10), 0.5, 1.0) for k in range(100_000)]
    big = Table("big.csv", rows)
    big.issue_names = {r.issue: r.issue for r in rows}
    check_rows(big, "1", (0.0, 10.0))
    assert len(big.bounds) == 100_000


def test_values_are_counted_as_the_reader_counts_them(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", HEADER + "".join(f"A{k},1,{k},0.5\n" for k in range(50)))
    text, _ = import_table(path)
    assert output._values(yaml.safe_load(text)) == sum(1 for _ in yaml.parse(text)) == 935


def test_scenario_too_large_for_the_reader_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import must not write a scenario that ``zopa validate`` would then refuse."""
    path = write(tmp_path / "t.csv", HEADER + "".join(f"A{k},1,{k},0.5\n" for k in range(50)))
    monkeypatch.setattr(output, "MAX_NODES", 500)
    message = refused(lambda: import_table(path)).message
    assert message.startswith("the scenario would hold about 935 values; zopa reads scenarios "
                              "of at most 500 (import fewer")
    monkeypatch.setattr(output, "MAX_NODES", 10_000)
    monkeypatch.setattr(output, "MAX_BYTES", 2_000)
    message = refused(lambda: import_table(path)).message
    assert "zopa reads scenarios of at most 2,000 bytes" in message


# --- decide files ---------------------------------------------------------------------------------


def test_decide_infinite_power_names_field_and_line() -> None:
    problem = refused(lambda: import_decide(HOSTILE / "decide_infinite_power.txt"))
    assert (problem.line, problem.path, problem.message) == (
        5, "#D power", "not a finite number: 'inf'")
    line = cli_refuses(["import-decide", str(HOSTILE / "decide_infinite_power.txt")])
    assert line.endswith("decide_infinite_power.txt:5: #D power: not a finite number: 'inf'")


@pytest.mark.parametrize(
    ("record", "field"),
    [("#D\tX\tp\tnan\t0.5\t1", "#D position"), ("#D\tX\tp\t5\t-inf\t1", "#D salience"),
     ("#M\tp\t1e999", "#M")],
)
def test_decide_non_finite_numbers(tmp_path: Path, record: str, field: str) -> None:
    path = write(tmp_path / "d.txt", f"#A\tX\tX\n#P\tp\tP\n#D\tX\tp\t5\t0.5\t1\n{record}\n")
    problem = refused(lambda: read_decide(path))
    assert (problem.line, problem.path) == (4, field)
    assert problem.message.startswith("not a finite number")


def test_decide_too_many_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zopa.importers.decide.MAX_TABLE_ROWS", 10)
    path = write(tmp_path / "d.txt", "".join(f"#A\ta{k}\tA\n" for k in range(11)))
    problem = refused(lambda: read_decide(path))
    assert problem.line == 11 and problem.message.startswith("more than 10 records")


# --- GENIUS XML -----------------------------------------------------------------------------------


def test_unknown_xml_encoding_is_located() -> None:
    problem = refused(lambda: parse_xml(HOSTILE / "unknown_encoding.xml"))
    assert (problem.line, problem.path, problem.message) == (
        1, "xml", "encoding 'x-hostile-42' is not supported; save the file as UTF-8")


@pytest.mark.parametrize("encoding", ["rot13", "base64", "utf-32", "utf-7", "idna", "undefined",
                                      "shift_jis", "x" * 40])
def test_codecs_expat_cannot_use_are_refused(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "e.xml", f'<?xml version="1.0" encoding="{encoding}"?>\n<a/>\n')
    assert "is not supported" in refused(lambda: parse_xml(path)).message


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "latin-1", "windows-1252"])
def test_single_byte_xml_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "e.xml"
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<a b="\xe9"/>\n'
    path.write_bytes(text.encode("latin-1"))
    assert parse_xml(path).attrib == {"b": "é"}


def test_utf16_xml_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "e.xml"
    path.write_bytes('<?xml version="1.0" encoding="UTF-16"?>\n<a b="é"/>\n'.encode("utf-16"))
    assert parse_xml(path).attrib == {"b": "é"}


def test_xml_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "e.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<a>\n<b c="\xe9"/></a>\n')
    problem = refused(lambda: parse_xml(path))
    assert (problem.line, problem.message) == (3, "not UTF-8 text (byte 0xe9); save the file as "
                                                  "UTF-8")


def test_too_many_xml_elements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zopa.importers.genius_xml.MAX_XML_ELEMENTS", 100)
    path = write(tmp_path / "many.xml", "<a>\n" + "<b/>\n" * 200 + "</a>\n")
    problem = refused(lambda: parse_xml(path))
    assert problem.line == 101 and problem.message.startswith("more than 100 elements")


def test_cli_unknown_xml_encoding(tmp_path: Path) -> None:
    folder = tmp_path / "Truce"
    shutil.copytree(TRUCE, folder)
    shutil.copy(HOSTILE / "unknown_encoding.xml", folder / "zz.xml")
    line = cli_refuses(["import-genius", str(folder)])
    assert line == f"{folder / 'zz.xml'}:1: xml: encoding 'x-hostile-42' is not supported; save " \
        "the file as UTF-8"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ('<weight index="2" value="0.118">', '<weight index="2" value="-0.118">',
         "weight of Exchange ratio", "value='-0.118' is negative; GENIUS needs values >= 0"),
        ('value="1:3" cost="0.0" evaluation="10"', 'value="1:3" cost="0.0" evaluation="-10"',
         "issue Exchange ratio", "evaluation='-10' is negative; GENIUS needs evaluations >= 0"),
    ],
)
def test_negative_weights_and_evaluations_are_refused(
    tmp_path: Path, old: str, new: str, path: str, message: str
) -> None:
    folder = tmp_path / "Truce"
    shutil.copytree(TRUCE, folder)
    profile = folder / "truce_party_a.xml"
    text = profile.read_text()
    assert old in text
    profile.write_text(text.replace(old, new))
    problem = refused(lambda: load_genius_folder(folder))
    line = next(k for k, ln in enumerate(profile.read_text().splitlines(), 1) if new in ln)
    assert (problem.file, problem.line, problem.path, problem.message) == (
        str(profile), line, path, message)


# --- control characters and terminal escapes ------------------------------------------------------


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    assert printable("plain café, with \\ backslash") == "plain café, with \\ backslash"
    assert printable("\x1b[31mred\x07\r\n\t") == "\\x1b[31mred\\x07\\r\\n\\t"
    assert printable("\u202eevil\u200b\x85") == "\\u202eevil\\u200b\\x85"
    assert printable("bad\udce9byte") == "bad\\udce9byte"  # an undecodable byte in a file name
    once = printable("\x1b]0;title\x07")
    assert printable(once) == once  # escaping twice changes nothing
    assert shown("x" * 100, 5) == "'xxxxx...' (100 characters)"


def test_escape_sequences_in_cells_and_file_names(tmp_path: Path) -> None:
    name = tmp_path / "evil\x1b[2Jname\n.csv"
    shutil.copy(HOSTILE / "escape_cells.csv", name)
    problem = refused(lambda: import_table(name))
    assert problem.file == printable(str(name))
    assert problem.message == "not a number: '\\x1b[31mred'"
    line = cli_refuses(["import-table", str(name)])
    assert "\x1b" not in line and "evil\\x1b[2Jname\\n.csv:3: position:" in line


def test_problem_text_is_cut(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", f"{HEADER}A,1,{'y' * 5000},0.5\n")
    problem = refused(lambda: import_table(path))
    assert len(problem.message) < 200 and "(5,000 characters)" in problem.message


def test_file_name_cannot_inject_yaml_into_the_header(tmp_path: Path) -> None:
    name = tmp_path / "t\nactors: []\n\x1b[0m.csv"
    write(name, f"{HEADER}A,1,2,0.5\nB,1,3,0.5\n")
    text, _ = import_table(name)
    header = text.splitlines()[0]
    assert header == "# Imported from t\\nactors: []\\n\\x1b[0m.csv by `zopa import-table`."
    assert len(yaml.safe_load(text)["actors"]) == 2


def test_notes_escape_names(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "actor,capability,position,salience,issue\n"
                 "\x1bA,1,2,0.5,p\n\x1bA,2,3,0.5,q\n")
    _, read = import_table(path)
    assert all(note.isprintable() for note in read.notes)
    assert any(note.startswith("\\x1bA: capability differs") for note in read.notes)


def test_genius_folder_name_is_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "Tru\x1b[5mce"
    shutil.copytree(TRUCE, folder)
    assert load_genius_folder(folder).name == "Tru\\x1b[5mce"
    with pytest.raises(UsageError) as info:
        load_genius_folder(tmp_path / "no\x07such")
    assert str(info.value).isprintable()


# --- YAML and JSON scenario numbers (more in test_document.py) -----------------------------------


@pytest.mark.parametrize("name", ["long_integer.yaml", "long_integer.json"])
def test_integer_over_4300_digits_is_located(name: str) -> None:
    problem = refused(lambda: load_scenario(HOSTILE / name))
    assert (problem.line, problem.path) == (4 if name.endswith("json") else 3,
                                            "actors.0.capability")
    assert problem.message == ("a whole number of 5,000 digits; numbers are limited to 4,300 "
                               "digits")
    line = cli_refuses(["validate", str(HOSTILE / name)])
    assert line.endswith(problem.message)


def test_100000_options_are_checked_in_linear_time() -> None:
    options = [f"option {k}" for k in range(100_000)] + ["option 7", "option 99999", "option 7"]
    assert repeated_items(options) == ["option 7", "option 99999"]
    assert repeated_items(["a", "b"]) == []


# --- write_atomic ---------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_write_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "out.yaml"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_umask_default(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.yaml", "text")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("keep me")
    path.chmod(0o444)
    with pytest.raises(UsageError, match=r"locked\.yaml: is read-only; not replaced"):
        write_atomic(path, "new")
    assert path.read_text() == "keep me"
    assert leftovers(tmp_path) == []


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.yaml"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o604)
    link = tmp_path / "link.yaml"
    link.symlink_to(Path("data") / "real.yaml")
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to("target.yaml")
    write_atomic(link, "new")
    assert link.is_symlink() and (tmp_path / "target.yaml").read_text() == "new"


def test_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(UsageError, match="symbolic link loop"):
        write_atomic(tmp_path / "a", "x")


def test_a_250_character_file_name(tmp_path: Path) -> None:
    path = tmp_path / ("n" * 245 + ".yaml")
    write_atomic(path, "text")
    assert path.read_text() == "text" and len(path.name) == 250


def test_a_directory_target_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        write_atomic(tmp_path, "text")
    assert str(info.value) == f"{tmp_path}: is a directory; give a file name to write"
    assert leftovers(tmp_path) == []


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        write_atomic(tmp_path / "nowhere" / "out.yaml", "text")


@needs_fifo
def test_a_fifo_target_is_refused(fifo: Path) -> None:
    with pytest.raises(UsageError, match="not a regular file"):
        write_atomic(fifo, "text")


def test_cli_output_to_a_directory(tmp_path: Path) -> None:
    table_file = HOSTILE.parent / "import" / "scholz2011_eu_example.csv"
    line = cli_refuses(["import-table", str(table_file), "-o", str(tmp_path)])
    assert line == f"error: {tmp_path}: is a directory; give a file name to write"
    assert leftovers(tmp_path) == []


def test_read_text_file_is_the_one_reader(tmp_path: Path) -> None:
    path = write(tmp_path / "t.txt", "\ufeffhello\n")
    assert read_text_file(path, max_bytes=100, what="a file", content="text", hint="-") == "hello\n"
    assert inputs.MAX_SHOWN >= 200
