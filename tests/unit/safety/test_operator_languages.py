"""Adding a language is adding a file: an operator's folder of language files loads beside the
shipped ones, and one that does not load stops `lyra serve` before it starts, naming the file
and the line. A megabyte of mixed scripts, combining marks and bidirectional controls is
screened in bounded time."""

import os
import subprocess
import sys
import time
from pathlib import Path

from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
from application.safety.screen import Screen
from application.safety.tables.matcher import load_tables

ESPERANTO = """lang\teo\tEsperanto\twords
numbers\tnum2words
age\tjar\t\\b{n} jara(?:ĝa)?\\b\tMi estas 15 jara.
pass\t-\t-\tMi estas 25 jara.
block\t-\t-\tMi estas dek kvin jara.
"""


def test_a_language_added_as_a_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "eo.tsv").write_text(ESPERANTO, encoding="utf-8")
    screen = Screen(BlockedTermFilter(shipped_terms()), load_tables(str(tmp_path)))
    for sample in next(t for t in screen.tables.tables if t.code == "eo").samples:
        assert screen.check({"text": sample.text}).outcome == sample.expected, sample.text
    assert {t.code for t in screen.tables.tables} >= {"eo", "en", "ja"}


def test_a_file_that_does_not_load_stops_the_server_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "eo.tsv").write_text(ESPERANTO.replace("jara(?:ĝa)?", "jara(?:ĝa"),
                                     encoding="utf-8")
    env = {**os.environ, "LYRA_SAFETY_LANGUAGE_DIR": str(tmp_path), "LYRA_ENVIRONMENT": "test",
           "LYRA_DATABASE_URL": f"sqlite:///{tmp_path / 'l.sqlite'}"}
    started = subprocess.run([sys.executable, "-m", "cli", "serve", "--port", "9"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 2
    assert f"{tmp_path / 'eo.tsv'}:3: the pattern does not compile" in started.stderr


def test_a_megabyte_of_adversarial_text_is_screened_in_bounded_time() -> None:
    screen = Screen(BlockedTermFilter(shipped_terms()), load_tables())
    pieces = ["year", "\u200b", "gra\u0301de", "١٥", "ans", "שנה", "\u202e", "not ", "18",
              "ye\u200dar 9", "minor", "x" * 40, " ", "j'ai", "1", "5", "ans de", "kid\u0308",
              "學年", "с", "a\u0300\u0301\u0302", "16歳", "мне 14", "s.i.x", " (15f) ",
              "she's asleep", " hidden camera ", "\u2066", "열네 살", "a.b.c.d "]
    text = "".join(pieces[i % len(pieces)] for i in range(200_000))[:1_000_000]
    started = time.perf_counter()
    verdict = screen.check({"text": text})
    assert time.perf_counter() - started < 30
    assert verdict.blocked  # and it still reads what is there
