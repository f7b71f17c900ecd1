"""Package benchmark: the size of what a family downloads and installs, and how fast the frozen
practice window shows next to the source install's, in the same run.

Run after ``bash scripts/package.sh``: ``.venv/bin/python benchmarks/package.py [--runs 5]``
(about a minute).

Sizes: the .deb and the tarball in ``dist/``, the installed folder (``build/pyinstaller/
mitpractice``) and its largest parts, so that what to leave out next is plain. Start-up: the
same measure as ``benchmarks/startup.py`` (the clock from the process's start to the window's
first show; Qt's offscreen platform; a data folder holding one patient with one assigned
phrase), for the frozen program and then for ``python -m mitpractice`` from this tree.

The targets (issue 17): the .deb at most 400 MB, aiming at 250 MB; the frozen window within 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import startup  # the start-up measure, shared

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "build" / "pyinstaller" / "mitpractice"
#: The issue's limits: the .deb's size (MB) and its aim, and the frozen window's start (s).
DEB_LIMIT_MB, DEB_AIM_MB, FROZEN_TARGET_S = 400.0, 250.0, 1.0
MB = 1e6


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def largest_parts(bundle: Path, count: int = 12) -> list[tuple[str, int]]:
    """The biggest entries directly under the bundle's ``_internal`` folder, by size (links to
    libraries inside subfolders, which PyInstaller adds, are not counted twice)."""
    internal = bundle / "_internal"
    sizes = [(p.name, folder_size(p) if p.is_dir() else p.stat().st_size)
             for p in internal.iterdir() if not p.is_symlink()]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def newest(pattern: str) -> Path:
    found = sorted((ROOT / "dist").glob(pattern), key=lambda p: p.stat().st_mtime)
    if not found:
        sys.exit(f"no dist/{pattern}: run bash scripts/package.sh first")
    return found[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    deb, tarball = newest("mitpractice_*_amd64.deb"), newest("mitpractice-*-linux-x86_64.tar.gz")
    deb_mb = deb.stat().st_size / MB
    limit = "met" if deb_mb <= DEB_LIMIT_MB else "NOT met"
    print(f"{deb.name}: {deb_mb:.1f} MB (limit {DEB_LIMIT_MB:.0f}: {limit}; "
          f"aim {DEB_AIM_MB:.0f}: {'met' if deb_mb <= DEB_AIM_MB else 'not met'})")
    print(f"{tarball.name}: {tarball.stat().st_size / MB:.1f} MB")
    print(f"installed folder: {folder_size(BUNDLE) / MB:.1f} MB; largest parts:")
    for name, size in largest_parts(BUNDLE):
        print(f"  {size / MB:7.1f} MB  {name}")

    print("\nfrozen practice window (build/pyinstaller/mitpractice/mitpractice):")
    frozen, frozen_ready = startup.measure([str(BUNDLE / "mitpractice")], args.runs)
    print("\nsource install (python -m mitpractice):")
    source, source_ready = startup.measure(startup.SOURCE_COMMAND, args.runs)

    f_med, s_med = statistics.median(frozen), statistics.median(source)
    print(f"\nwindow shown, median (slowest): frozen {f_med:.2f} s ({max(frozen):.2f}), "
          f"source {s_med:.2f} s ({max(source):.2f}); frozen/source {f_med / s_med:.2f}; "
          f"target {FROZEN_TARGET_S:.1f} s: {'met' if f_med <= FROZEN_TARGET_S else 'NOT met'} (median)")
    if frozen_ready and source_ready:
        print(f"today's practice on it, median: frozen {statistics.median(frozen_ready):.2f} s, "
              f"source {statistics.median(source_ready):.2f} s")


if __name__ == "__main__":
    main()
