"""The workspace's Data menu: report, CSV, backup, restore and bundles, and the review's export
of one attempt to Praat, over the core's own functions (:mod:`mitpractice.reports`,
:mod:`mitpractice.store.backup`, :mod:`mitpractice.store.bundle`) so the workspace and the
command line make the same files.

Each action takes its path (and passphrase) as arguments; without them it asks with a file
dialog. The questions are asked on the GUI thread; the writing itself (a backup holds every
attempt's audio, a bundle pays the passphrase's scrypt cost, a clinic's database may be across
a network) runs on the thread pool (:func:`mitpractice.gui.workers.run_in_thread`), so the
window goes on answering. While one runs the Data menu is disabled and the status bar says
what is being written; a restore or an import, which change what the screens show, also
disable the screens until they are done. When it ends the status bar says what was made, an
error is shown in a message box, never lost, and :attr:`DataActions.finished` is emitted.

Each action returns the running :class:`~mitpractice.gui.workers.Task`, or None when it was
cancelled or refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QLineEdit, QMessageBox, QProgressBar

from mitpractice import days as local_days
from mitpractice.gui.workers import Task, failure_text, run_in_thread

#: Shortest bundle passphrase accepted here: bundles travel by e-mail and USB stick.
MIN_PASSPHRASE = 8


class DataActions(QObject):
    """The Data menu of one :class:`~mitpractice.gui.therapist.window.Workspace`."""

    #: An action ended: its name (``report``, ``csv``, ``praat``, ``backup``, ``restore``,
    #: ``bundle-export``, ``bundle-import``) and what it made, or None when it failed.
    finished = Signal(str, object)

    def __init__(self, workspace) -> None:
        super().__init__(workspace)
        self.w = workspace
        self.store = workspace.store
        #: The menu and its entries, disabled while an action runs (the window fills it).
        self.menu = None
        #: The action running, or None.
        self.running: str | None = None
        #: The window was asked to close meanwhile: it closes when the action is done.
        self.close_pending = False
        #: The last error shown (a message box, open until the therapist closes it).
        self.error_box: QMessageBox | None = None
        self.status = QLabel()
        self.status.setAccessibleName(workspace.tr("Data being written"))
        self.spinner = QProgressBar()
        self.spinner.setRange(0, 0)  # no known end: it moves while the work goes on
        self.spinner.setMaximumWidth(120)
        self.spinner.setTextVisible(False)
        bar = workspace.statusBar()
        bar.addPermanentWidget(self.status)
        bar.addPermanentWidget(self.spinner)
        self.status.hide()
        self.spinner.hide()

    # ------------------------------------------------------------------ helpers
    def _say(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 15_000)

    def _error(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.w)
        box.open()  # window-modal, and the window's event loop goes on
        self.error_box = box

    @property
    def busy(self) -> bool:
        return self.running is not None

    def _waiting(self) -> bool:
        """True (and the therapist is told) when another action is still running."""
        if self.running is None:
            return False
        self._say(self.w.tr("Wait until the data being written is done."))
        return True

    def _set_busy(self, name: str | None, text: str = "", screens: bool = True) -> None:
        self.running = name
        if self.menu is not None:
            self.menu.menuAction().setEnabled(name is None)
            for action in self.menu.actions():
                action.setEnabled(name is None)
        self.w.centralWidget().setEnabled(screens)
        self.status.setText(text)
        self.status.setVisible(name is not None)
        self.spinner.setVisible(name is not None)

    def _run(
        self,
        name: str,
        title: str,
        doing: str,
        work: Callable[[], Any],
        said: Callable[[Any], str],
        *,
        changes_screens: bool = False,
        after: Callable[[Any], None] | None = None,
    ) -> Task | None:
        """Run ``work()`` on the thread pool with the menu disabled and ``doing`` in the status
        bar; then ``after(result)`` and ``said(result)`` in the status bar, or the error."""
        if self._waiting():
            return None
        self._set_busy(name, doing, screens=not changes_screens)

        def done(result) -> None:
            self._set_busy(None)
            if after is not None:
                after(result)
            self._say(said(result))
            self.finished.emit(name, result)
            if self.close_pending:
                self.w.close()

        def failed(exc: Exception) -> None:
            self._set_busy(None)
            if changes_screens:
                self.w.reload_patients()  # the transaction rolled back; show the store as it is
            self._error(title, failure_text(exc))
            self.close_pending = False  # the therapist reads the error first
            self.finished.emit(name, None)

        return run_in_thread(work, done, failed, owner=self)

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

        if self._waiting() or self._patient() is None:
            return None
        progress = self.w.pages["progress"].report
        if (
            since is None
            and until is None
            and progress is not None
            and progress.patient.id == self.w.patient.id
        ):
            since, until = progress.period.first, progress.period.last
        today = local_days.today()  # the day on the therapist's calendar
        path = path or self._save_path(
            self.w.tr("Save the report"), f"{self._slug()}-{today}.pdf", self.w.tr("PDF (*.pdf)")
        )
        if not path:
            return None
        store, patient_id = self.store, self.w.patient.id
        return self._run(
            "report",
            self.w.tr("Report"),
            self.w.tr("Writing the report…"),
            lambda: write_report_pdf(build_report(store, patient_id, since, until), path),
            lambda written: self.w.tr("Report written to %1").replace("%1", str(written)),
        )

    def export_csv(self, path: str | None = None):
        """Every attempt of the chosen patient as a CSV table (the ``export`` command's)."""
        from mitpractice.reports.csv import export_attempts
        from mitpractice.store import AttemptQuery

        if self._waiting() or self._patient() is None:
            return None
        path = path or self._save_path(
            self.w.tr("Export the attempts"), f"{self._slug()}-attempts.csv", self.w.tr("CSV (*.csv)")
        )
        if not path:
            return None
        store, query = self.store, AttemptQuery(patient_id=self.w.patient.id)
        return self._run(
            "csv",
            self.w.tr("Export"),
            self.w.tr("Writing the attempts…"),
            lambda: export_attempts(store.iter_attempts(query), path),
            lambda n: self.w.tr("%1 attempts written to %2").replace("%1", str(n)).replace("%2", str(path)),
        )

    def textgrid(self, attempt_id: str, folder: str | None = None):
        """An attempt's audio (WAV) and a Praat TextGrid beside it (the review's Praat button).

        The recording is read from the store (perhaps a clinic's server across the network) and
        decoded, and two files are written, so this runs on the thread pool like the other
        exports; :attr:`finished` brings the :class:`~mitpractice.reports.textgrid.PraatFiles`.
        """
        from mitpractice.reports.textgrid import export_attempt

        if self._waiting():
            return None
        folder = folder or QFileDialog.getExistingDirectory(self.w, self.w.tr("Folder for the Praat files"))
        if not folder:
            return None
        store = self.store
        return self._run(
            "praat",
            self.w.tr("Praat"),
            self.w.tr("Writing the Praat files…"),
            lambda: export_attempt(store, attempt_id, folder),
            lambda files: self.w.tr("Written %1 and %2 in %3")
            .replace("%1", files.wav.name)
            .replace("%2", files.textgrid.name)
            .replace("%3", str(files.wav.parent)),
        )

    def backup(self, path: str | None = None):
        """Everything (database and audio) in one archive."""
        from mitpractice.store.backup import backup

        if self._waiting():
            return None
        today = local_days.today()  # the day on the therapist's calendar
        path = path or self._save_path(
            self.w.tr("Back up everything"), f"mitpractice-backup-{today}.zip", self.w.tr("Backups (*.zip)")
        )
        if not path:
            return None
        store = self.store
        return self._run(
            "backup",
            self.w.tr("Backup"),
            self.w.tr("Backing up everything…"),
            lambda: backup(store, path),
            lambda summary: self.w.tr("Backup written to %1").replace("%1", str(summary.path)),
        )

    def restore(self, path: str | None = None, *, force: bool | None = None):
        """Put a backup into the store; a store that is not empty is replaced only when the
        therapist confirms (``force``)."""
        from mitpractice.store.backup import restore

        if self._waiting():
            return None
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
        store = self.store
        return self._run(
            "restore",
            self.w.tr("Restore"),
            self.w.tr("Restoring the backup…"),
            lambda: restore(store, path, force=force),
            lambda summary: self.w.tr("Restored the backup of %1").replace(
                "%1", local_days.format_local(summary.created_at)
            ),
            changes_screens=True,
            after=lambda _summary: self.w.reload_patients(),
        )

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

        if self._waiting() or self._patient() is None:
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
        store, patient_id = self.store, self.w.patient.id
        return self._run(
            "bundle-export",
            self.w.tr("Bundle"),
            self.w.tr("Writing the bundle…"),
            lambda: export_bundle(store, patient_id, path, passphrase),
            lambda summary: self.w.tr("Bundle written to %1").replace("%1", str(summary.path)),
        )

    def bundle_import(self, path: str | None = None, passphrase: str | None = None):
        """A bundle from the other computer merged in (the same bundle twice adds nothing)."""
        from mitpractice.store.bundle import import_bundle

        if self._waiting():
            return None
        path = path or self._open_path(
            self.w.tr("Open a bundle"), self.w.tr("Bundles (*.mitbundle);;All files (*)")
        )
        if not path:
            return None
        passphrase = passphrase if passphrase is not None else self._passphrase(twice=False)
        if passphrase is None:
            return None
        store = self.store
        return self._run(
            "bundle-import",
            self.w.tr("Bundle"),
            self.w.tr("Reading the bundle…"),
            lambda: import_bundle(store, path, passphrase),
            lambda summary: self.w.tr("%1: %2 new records")
            .replace("%1", summary.patient_name)
            .replace("%2", str(sum(summary.added.values()))),
            changes_screens=True,
            after=lambda summary: self.w.reload_patients(select=summary.patient_id),
        )
