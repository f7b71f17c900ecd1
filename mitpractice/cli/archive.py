"""``mitpractice backup -o FILE`` and ``mitpractice restore FILE [--force]``: everything in the
store (rows and audio) in one archive that restores on another computer, SQLite or PostgreSQL."""

from __future__ import annotations

import argparse

from mitpractice.cli.options import check_output, open_store


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup", help="everything (database and audio) in one archive",
        description="Write every patient, phrase set, assignment, session and attempt with its "
        "audio to one ZIP archive (readable by you only) that restores on any computer.",
    )
    backup.add_argument("-o", "--output", required=True, metavar="FILE", help="the archive to write")
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser(
        "restore", help="put a backup into an empty store",
        description="Restore a backup into the store (SQLite or PostgreSQL). A store that holds "
        "anything is refused unless --force, which replaces all of it.",
    )
    restore.add_argument("archive", metavar="FILE", help="an archive made by mitpractice backup")
    restore.add_argument("--force", action="store_true", help="replace what the store holds")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from mitpractice.store.backup import backup

    check_output(args.output)
    with open_store(read_only=True) as store:
        summary = backup(store, args.output)
    print(f"{summary.path}: {_counts(summary.rows)}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from mitpractice.days import format_local
    from mitpractice.store.backup import read_manifest, restore

    read_manifest(args.archive)  # a bad file is reported before the store is opened
    with open_store() as store:
        summary = restore(store, args.archive, force=args.force)
    made = format_local(summary.created_at)  # this computer's clock, with its zone
    print(f"restored {summary.path} (made {made}): {_counts(summary.rows)}")
    return 0


def _counts(rows: dict[str, int]) -> str:
    return (f"{rows.get('patients', 0)} patients, {rows.get('attempts', 0)} attempts, "
            f"{rows.get('phrase_sets', 0)} phrase-set versions, "
            f"{rows.get('recorded_models', 0)} recorded models")
