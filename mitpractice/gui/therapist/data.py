"""The workspace's Data menu: report, CSV, backup, restore and bundles, over the core's own
functions (:mod:`mitpractice.reports`, :mod:`mitpractice.store.backup`,
:mod:`mitpractice.store.bundle`) so the workspace and the command line make the same files.

Each action takes its path (and passphrase) as arguments; without them it asks with a file
dialog. Each returns what it did, or None when cancelled, and tells the therapist in the
status bar; an error is shown in a message box, never lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from mitpractice.errors import MitpracticeError

#: Shortest bundle passphrase accepted here: bundles travel by e-mail and USB stick.
MIN_PASSPHRASE = 8


class DataActions:
    """The Data menu of one :class:`~mitpractice.gui.therapist.window.Workspace`."""

    def __init__(self, workspace) -> None:
        self.w = workspace
        self.store = workspace.store

    # ------------------------------------------------------------------ helpers
    def _say(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 15_000)

    def _error(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self.w, title, str(exc))

    def _save_path(self, title: str, name: str, pattern: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.w, title, str(Path.home() / name), pattern)
        return path or None

    def _open_path(self, title: str, pattern: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.w, title, str(Path.home()), pattern)
        return path or None

    def _patient(self):
        if self.w.patient is None:
            QMessageBox.information(self.w, self.w.tr("Data"), self.w.tr("Choose a patient first."))
        return self.w.patient

    def _slug(self) -> str:
        p = self.w.patient
        return "".join(c if c.isalnum() else "-" for c in p.name).strip("-").lower() or "patient"

    # ------------------------------------------------------------------ actions
    def report(self, path: str | None = None, since=None, until=None):
        """The PDF report of the chosen patient (the progress screen's period by default)."""
        from mitpractice.gui.report_pdf import write_report_pdf
        from mitpractice.reports.report import build_report

        if self._patient() is None:
            return None
        progress = self.w.pages["progress"].report
        if (
            since is None
            and until is None
            and progress is not None
            and progress.patient.id == self.w.patient.id
        ):
            since, until = progress.period.first, progress.period.last
        today = datetime.now(UTC).date()
        path = path or self._save_path(
            self.w.tr("Save the report"), f"{self._slug()}-{today}.pdf", self.w.tr("PDF (*.pdf)")
        )
        if not path:
            return None
        try:
            written = write_report_pdf(build_report(self.store, self.w.patient.id, since, until), path)
        except MitpracticeError as exc:
            self._error(self.w.tr("Report"), exc)
            return None
        self._say(self.w.tr("Report written to %1").replace("%1", str(written)))
        return written

    def export_csv(self, path: str | None = None):
        """Every attempt of the chosen patient as a CSV table (the ``export`` command's)."""
        from mitpractice.reports.csv import export_attempts
        from mitpractice.store import AttemptQuery

        if self._patient() is None:
            return None
        path = path or self._save_path(
            self.w.tr("Export the attempts"), f"{self._slug()}-attempts.csv", self.w.tr("CSV (*.csv)")
        )
        if not path:
            return None
        try:
            n = export_attempts(self.store.iter_attempts(AttemptQuery(patient_id=self.w.patient.id)), path)
        except MitpracticeError as exc:
            self._error(self.w.tr("Export"), exc)
            return None
        self._say(self.w.tr("%1 attempts written to %2").replace("%1", str(n)).replace("%2", str(path)))
        return n

    def textgrid(self, attempt_id: str, folder: str | None = None):
        """An attempt's audio (WAV) and a Praat TextGrid beside it."""
        from mitpractice.reports.textgrid import export_attempt

        folder = folder or QFileDialog.getExistingDirectory(self.w, self.w.tr("Folder for the Praat files"))
        if not folder:
            return None
        try:
            files = export_attempt(self.store, attempt_id, folder)
        except MitpracticeError as exc:
            self._error(self.w.tr("Praat"), exc)
            return None
        self._say(
            self.w.tr("Written %1 and %2").replace("%1", files.wav.name).replace("%2", files.textgrid.name)
        )
        return files

    def backup(self, path: str | None = None):
        """Everything (database and audio) in one archive."""
        from mitpractice.store.backup import backup

        today = datetime.now(UTC).date()
        path = path or self._save_path(
            self.w.tr("Back up everything"), f"mitpractice-backup-{today}.zip", self.w.tr("Backups (*.zip)")
        )
        if not path:
            return None
        try:
            summary = backup(self.store, path)
        except MitpracticeError as exc:
            self._error(self.w.tr("Backup"), exc)
            return None
        self._say(self.w.tr("Backup written to %1").replace("%1", str(summary.path)))
        return summary

    def restore(self, path: str | None = None, *, force: bool | None = None):
        """Put a backup into the store; a store that is not empty is replaced only when the
        therapist confirms (``force``)."""
        from mitpractice.store.backup import restore

        path = path or self._open_path(self.w.tr("Restore a backup"), self.w.tr("Backups (*.zip)"))
        if not path:
            return None
        if force is None:
            force = False
            if not self.store.is_empty():
                answer = QMessageBox.question(
                    self.w,
                    self.w.tr("Restore"),
                    self.w.tr("This replaces every patient and attempt here with the backup's. Go on?"),
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return None
                force = True
        try:
            summary = restore(self.store, path, force=force)
        except MitpracticeError as exc:
            self._error(self.w.tr("Restore"), exc)
            return None
        self.w.reload_patients()
        self._say(
            self.w.tr("Restored the backup of %1").replace("%1", f"{summary.created_at:%Y-%m-%d %H:%M}")
        )
        return summary

    def _passphrase(self, twice: bool) -> str | None:
        text, ok = QInputDialog.getText(
            self.w, self.w.tr("Bundle"), self.w.tr("Passphrase"), QLineEdit.EchoMode.Password
        )
        if not ok:
            return None
        if twice:
            again, ok = QInputDialog.getText(
                self.w, self.w.tr("Bundle"), self.w.tr("Passphrase again"), QLineEdit.EchoMode.Password
            )
            if not ok or again != text:
                QMessageBox.warning(self.w, self.w.tr("Bundle"), self.w.tr("The passphrases differ."))
                return None
        return text

    def bundle_export(self, path: str | None = None, passphrase: str | None = None):
        """The chosen patient's programme and attempts, encrypted, for the other computer."""
        from mitpractice.store.bundle import export_bundle

        if self._patient() is None:
            return None
        path = path or self._save_path(
            self.w.tr("Save the bundle"), f"{self._slug()}.mitbundle", self.w.tr("Bundles (*.mitbundle)")
        )
        if not path:
            return None
        passphrase = passphrase if passphrase is not None else self._passphrase(twice=True)
        if passphrase is None:
            return None
        if len(passphrase) < MIN_PASSPHRASE:
            QMessageBox.warning(
                self.w,
                self.w.tr("Bundle"),
                self.w.tr("A passphrase has at least %n characters.", "", MIN_PASSPHRASE),
            )
            return None
        try:
            summary = export_bundle(self.store, self.w.patient.id, path, passphrase)
        except MitpracticeError as exc:
            self._error(self.w.tr("Bundle"), exc)
            return None
        self._say(self.w.tr("Bundle written to %1").replace("%1", str(summary.path)))
        return summary

    def bundle_import(self, path: str | None = None, passphrase: str | None = None):
        """A bundle from the other computer merged in (the same bundle twice adds nothing)."""
        from mitpractice.store.bundle import import_bundle

        path = path or self._open_path(
            self.w.tr("Open a bundle"), self.w.tr("Bundles (*.mitbundle);;All files (*)")
        )
        if not path:
            return None
        passphrase = passphrase if passphrase is not None else self._passphrase(twice=False)
        if passphrase is None:
            return None
        try:
            summary = import_bundle(self.store, path, passphrase)
        except MitpracticeError as exc:
            self._error(self.w.tr("Bundle"), exc)
            return None
        self.w.reload_patients(select=summary.patient_id)
        added = sum(summary.added.values())
        self._say(
            self.w.tr("%1: %2 new records").replace("%1", summary.patient_name).replace("%2", str(added))
        )
        return summary
