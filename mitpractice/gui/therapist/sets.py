"""The phrase sets a therapist can choose from: the bundled ones and those in the store.

A set imported into the store (or edited in the workspace) replaces the bundled set of the
same id: the store keeps every version, and the newest is the one assigned. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mitpractice.errors import PhraseError
from mitpractice.phrases import PhraseSet, bundled_phrases_dir, load_phrase_set


@dataclass(frozen=True)
class AvailableSet:
    """A set offered for assignment or editing, and where it comes from."""

    phrase_set: PhraseSet
    toml: str
    origin: str  # "bundled" or "store"


def available_sets(store) -> list[AvailableSet]:
    """Every set by id, the store's newest version before the bundled file, sorted by title."""
    found: dict[str, AvailableSet] = {}
    seen_store: set[str] = set()
    for record in store.phrase_set_versions():  # newest first within each set
        if record.set_id in seen_store:
            continue
        seen_store.add(record.set_id)
        found[record.set_id] = AvailableSet(store.phrase_set(record.id), record.toml, "store")
    for path in sorted(bundled_phrases_dir().glob("*.toml")):
        try:
            parsed = load_phrase_set(path)
        except PhraseError:
            continue
        if parsed.id in found:
            text = path.read_text("utf-8")
            if found[parsed.id].toml == text:  # the bundled file as imported, unchanged
                found[parsed.id] = AvailableSet(found[parsed.id].phrase_set, text, "bundled")
            continue
        found[parsed.id] = AvailableSet(parsed, path.read_text("utf-8"), "bundled")
    return sorted(found.values(), key=lambda s: (s.phrase_set.title.casefold(), s.phrase_set.id))
