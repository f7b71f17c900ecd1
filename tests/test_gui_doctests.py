"""The examples in the GUI's docstrings run: the suite's doctest run leaves out
``mitpractice/gui`` (importing it needs Qt set up), so each module with examples is run here."""

from __future__ import annotations

import doctest
import importlib
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

import mitpractice.gui

GUI = Path(mitpractice.gui.__file__).parent
WITH_EXAMPLES = sorted(
    ".".join(("mitpractice", "gui", *p.relative_to(GUI).with_suffix("").parts))
    for p in GUI.rglob("*.py") if ">>>" in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("module", WITH_EXAMPLES)
def test_the_gui_modules_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed, result
