"""``mitpractice bundle export PATIENT -o FILE [--since DATE]`` and ``mitpractice bundle import
FILE``: a patient's data carried between home and the clinic, encrypted with a passphrase."""

from __future__ import annotations

import argparse
import getpass
import warnings
from pathlib import Path

from mitpractice.cli.options import check_output, open_store, parse_day
from mitpractice.errors import ParameterError
from mitpractice.files import reading


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bundle", help="carry a patient's data between home and the clinic (encrypted)",
        description="A bundle holds a patient's settings, programme (assignments and phrase sets), "
        "test results, recorded models and attempts with audio, encrypted with a passphrase. "
        "Importing merges it: a bundle imported twice adds nothing the second time.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write a patient's bundle")
    export.add_argument("patient", metavar="PATIENT", help="id or unambiguous name")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the bundle to write")
    export.add_argument("--since", metavar="DATE",
                        help="only attempts from this day on (this computer's calendar)")
    _passphrase(export)
    export.set_defaults(func=run_export)

    imports = actions.add_parser("import", help="merge a bundle into the store")
    imports.add_argument("bundle", metavar="FILE", help="a bundle made by mitpractice bundle export")
    _passphrase(imports)
    imports.set_defaults(func=run_import)


def _passphrase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="FILE",
                        help="read the passphrase from the first line of this file (else it is asked)")


def read_passphrase(args: argparse.Namespace, confirm: bool) -> str:
    """From ``--passphrase-file`` (its first line), else asked without echo (twice for a new one)."""
    if args.passphrase_file:
        path = Path(args.passphrase_file)
        try:
            with reading(path, ParameterError, "a passphrase file"):
                lines = path.read_text("utf-8").splitlines()
        except UnicodeDecodeError:
            raise ParameterError(f"{path}: the passphrase file is not text") from None
        if not lines or not lines[0]:
            raise ParameterError(f"{path}: the first line (the passphrase) is empty")
        return lines[0]
    try:
        with warnings.catch_warnings():
            # Without a terminal getpass would warn over three lines and read an echoed line.
            warnings.simplefilter("error", getpass.GetPassWarning)
            passphrase = getpass.getpass("Passphrase: ")
            if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
                raise ParameterError("the two passphrases differ; nothing was written")
    except getpass.GetPassWarning:
        raise ParameterError("no terminal to ask the passphrase on; "
                             "give it with --passphrase-file FILE") from None
    except EOFError:
        raise ParameterError("no passphrase given (use --passphrase-file FILE)") from None
    if not passphrase:
        raise ParameterError("no passphrase given")
    return passphrase


def run_export(args: argparse.Namespace) -> int:
    from mitpractice.store.bundle import export_bundle

    since = parse_day(args.since) if args.since else None
    check_output(args.output)
    with open_store(read_only=True) as store:
        patient = store.find_patient(args.patient)
        summary = export_bundle(store, patient.id, args.output, read_passphrase(args, confirm=True),
                                since=since)
    rows, removed = summary.added, summary.removed["assignments"]
    off = f" ({removed} taken off the programme)" if removed else ""
    print(f"{summary.path}: {patient.name}, {rows['assignments'] - removed} assigned phrases{off}, "
          f"{rows['attempts']} attempts, {rows['recorded_models']} recorded models (encrypted)")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from mitpractice.store.bundle import import_bundle, read_bundle

    passphrase = read_passphrase(args, confirm=False)
    read_bundle(args.bundle, passphrase)  # a wrong passphrase is told before the store is opened
    with open_store() as store:
        summary = import_bundle(store, args.bundle, passphrase)
    added, updated, removed = summary.added, summary.updated, summary.removed
    refused = ""
    if summary.refused:
        refused = (f"; refused {sum(summary.refused.values())} rows of other patients "
                   f"({', '.join(f'{n} {table}' for table, n in summary.refused.items())})")
    if not any(added.values()) and not any(updated.values()) and not any(removed.values()):
        print(f"{summary.path}: {summary.patient_name}: nothing new (imported before){refused}")
        return 0
    print(f"{summary.path}: {summary.patient_name}: added {added['attempts']} attempts, "
          f"{added['assignments']} assigned phrases, {removed['assignments']} taken off the programme, "
          f"{added['phrase_sets']} phrase-set versions, "
          f"{added['recorded_models']} recorded models; updated {sum(updated.values())} settings{refused}")
    return 0
