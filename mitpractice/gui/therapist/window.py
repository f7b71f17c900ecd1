"""The workspace window: the patient chosen at the top, the screens listed on the left.

Every screen follows the patient chosen in the top bar (``set_patient``); a change made on
one screen (a patient's name, an assignment) is seen by the others when they are shown.
"""

from __future__ import annotations

import contextlib
import socket

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mitpractice.errors import MitpracticeError
from mitpractice.gui.textsize import fit_text, text_scale
from mitpractice.gui.widgets.elided import ElidedLabel
from mitpractice.store import Patient, Store

#: The size the workspace is designed for and screenshotted at (a common laptop screen).
DESIGN_SIZE = (1366, 768)
#: The patient worked on last in the workspace on this computer: it opens on them.
LAST_PATIENT_SETTING = f"therapist.last_patient@{socket.gethostname()}"
#: The smallest screen it fits (px); its screens scroll rather than grow past it.
SMALLEST_SCREEN = (1024, 600)
#: How often the workspace looks whether the background check of the database has finished
#: (ms): the check reads the whole file, seconds for years of recordings, and must not hold
#: the window up.
HEALTH_POLL_MS = 500


class ScreenArea(QScrollArea):
    """A screen that fills the window and scrolls only when the window is smaller than the
    screen's minimum (a small laptop's), rather than holding the window larger than the
    display. (QScrollArea's own resizing gives a screen with wrapped text its preferred
    height, and so scroll bars, where its minimum would fit.)"""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(page)
        page.installEventFilter(self)

    def _fit(self) -> None:
        page, room = self.widget(), self.viewport().size()
        least = page.minimumSizeHint().expandedTo(page.minimumSize())
        page.resize(max(room.width(), least.width()), max(room.height(), least.height()))

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return super().viewportEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return False


class Workspace(QMainWindow):
    """The therapist's workspace over one store."""

    patient_changed = Signal(object)  # Patient or None

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        from mitpractice.gui.therapist.patients import PatientsPage
        from mitpractice.gui.therapist.phrase_editor import PhraseEditorPage
        from mitpractice.gui.therapist.programme import ProgrammePage
        from mitpractice.gui.therapist.progress import ProgressPage
        from mitpractice.gui.therapist.review import ReviewPage

        self.store = store
        self.patient: Patient | None = None
        self._text_scale = 1.0  # resizeEvent
        self.setWindowTitle(self.tr("mitpractice — therapist's workspace"))
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 8)

        top = QHBoxLayout()
        label = QLabel(self.tr("Patient:"))
        self.patient_box = QComboBox()
        self.patient_box.setAccessibleName(self.tr("Patient"))
        self.patient_box.setMinimumWidth(320)
        label.setBuddy(self.patient_box)
        self.patient_box.currentIndexChanged.connect(self._patient_chosen)
        top.addWidget(label)
        top.addWidget(self.patient_box)
        self.summary = ElidedLabel("")
        self.summary.setAccessibleName(self.tr("Patient's settings"))
        top.addWidget(self.summary, 1)
        outer.addLayout(top)
        # Damage the background check finds in the database: said at the top until the
        # workspace closes, since every change made now may be lost with it.
        self.damage_banner = QLabel()
        self.damage_banner.setWordWrap(True)
        self.damage_banner.setAccessibleName(self.tr("The database is damaged"))
        self.damage_banner.setStyleSheet(
            "background: #8b0000; color: white; padding: 6px; font-weight: bold;")
        self.damage_banner.hide()
        outer.addWidget(self.damage_banner)

        body = QHBoxLayout()
        self.nav = QListWidget()
        self.nav.setAccessibleName(self.tr("Screens"))
        self.stack = QStackedWidget()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.pages = {
            "patients": PatientsPage(self),
            "programme": ProgrammePage(self),
            "phrases": PhraseEditorPage(self),
            "review": ReviewPage(self),
            "progress": ProgressPage(self),
        }
        titles = {
            "patients": self.tr("Patients"),
            "programme": self.tr("Programme"),
            "phrases": self.tr("Phrase sets"),
            "review": self.tr("Review"),
            "progress": self.tr("Progress"),
        }
        for i, (key, page) in enumerate(self.pages.items()):
            self.nav.addItem(titles[key])
            self.stack.addWidget(ScreenArea(page))
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, lambda i=i: self.nav.setCurrentRow(i))
        self.nav.currentRowChanged.connect(self._show_page)
        self._size_nav()
        self.nav.setCurrentRow(0)
        last = None
        with contextlib.suppress(MitpracticeError):
            last = store.setting(LAST_PATIENT_SETTING)
        self.reload_patients(select=last)
        self._data_menu()
        self._help_menu()
        self.setMinimumSize(*SMALLEST_SCREEN)
        self.resize(*DESIGN_SIZE)
        store.start_health_check()  # already running when the command line opened the store
        self._health_timer = QTimer(self)
        self._health_timer.timeout.connect(self._look_at_health)
        self._health_timer.start(HEALTH_POLL_MS)

    def _look_at_health(self) -> None:
        """Tell the therapist once the background check has found the database damaged."""
        if not self.store.health_checked():
            return
        self._health_timer.stop()
        damage = self.store.damage()
        if damage is not None:
            self.damage_banner.setText(self.tr(
                "The database %1 is damaged (%2). Make no more changes: copy the whole data folder "
                "as it is, and ask for help.").replace("%1", self.store.location).replace("%2", damage))
            self.damage_banner.show()

    def _data_menu(self) -> None:
        from mitpractice.gui.therapist.data import DataActions

        self.data = DataActions(self)
        self.data.finished.connect(self.pages["review"].data_finished)
        menu = self.data.menu = self.menuBar().addMenu(self.tr("&Data"))
        for text, slot, keys in (
            (self.tr("PDF &report of the patient…"), lambda: self.data.report(), "Ctrl+P"),
            (self.tr("&Export the patient's attempts (CSV)…"), lambda: self.data.export_csv(), "Ctrl+E"),
            (None, None, None),
            (self.tr("Bundle the patient for the other computer…"), lambda: self.data.bundle_export(), None),
            (self.tr("&Import a bundle…"), lambda: self.data.bundle_import(), None),
            (None, None, None),
            (self.tr("&Back up everything…"), lambda: self.data.backup(), None),
            (self.tr("Re&store a backup…"), lambda: self.data.restore(), None),
            (None, None, None),
            (self.tr("Change the &PIN…"), lambda: self.change_pin(), None),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.triggered.connect(slot)
            if keys:
                action.setShortcut(QKeySequence(keys))

    def _help_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Help"))
        menu.addAction(self.tr("&About MIT Practice"), self.about)

    def about(self) -> None:
        """The version, the licence and where the records are: what a clinic's IT asks first."""
        from html import escape

        from mitpractice import __version__
        from mitpractice.files import data_dir

        lines = [
            f"<b>MIT Practice {escape(__version__)}</b>",
            self.tr("Melodic Intonation Therapy practice for people with aphasia."),
            self.tr("Free software under the GNU General Public License, version 3 or later."),
            self.tr("Data folder: %1").replace("%1", escape(str(data_dir()))),
            self.tr("Records: %1").replace("%1", escape(self.store.location)),
        ]
        QMessageBox.about(self, self.tr("About MIT Practice"), "".join(f"<p>{line}</p>" for line in lines))

    def change_pin(self) -> bool:
        """Ask the current PIN and a new one; True if it was changed."""
        from mitpractice.gui.therapist.pin_dialog import PinDialog
        from mitpractice.store.pin import PinGuard

        dialog = PinDialog(PinGuard(self.store), self, change=True)
        changed = dialog.exec() == PinDialog.DialogCode.Accepted
        if changed:
            self.statusBar().showMessage(self.tr("The PIN is changed."), 10_000)
        return changed

    # ------------------------------------------------------------------ patients
    def reload_patients(self, select: str | None = None) -> None:
        """Fill the patient chooser again (after an add or a rename), keeping the choice."""
        keep = select or (self.patient.id if self.patient else None)
        self.patient_box.blockSignals(True)
        self.patient_box.clear()
        everyone = self.store.patients()
        for p in everyone:
            self.patient_box.addItem(p.name, p.id)
        self.patient_box.blockSignals(False)
        index = self.patient_box.findData(keep) if keep else (0 if everyone else -1)
        self.patient_box.setCurrentIndex(index if index >= 0 else (0 if everyone else -1))
        self._patient_chosen()

    def choose_patient(self, patient_id: str) -> None:
        index = self.patient_box.findData(patient_id)
        if index >= 0:
            self.patient_box.setCurrentIndex(index)

    def _patient_chosen(self, *_args) -> None:
        patient_id = self.patient_box.currentData()
        self.patient = self.store.patient(patient_id) if patient_id else None
        if self.patient is not None:
            self.summary.setText(describe(self.patient))
            with contextlib.suppress(MitpracticeError):
                self.store.set_setting(LAST_PATIENT_SETTING, self.patient.id)
        elif self.patient_box.count():  # "New patient": the others are still there
            self.summary.setText(self.tr("A new patient: fill in the settings, then Add patient."))
        else:
            self.summary.setText(self.tr("No patient yet: add one."))
        for page in self.pages.values():
            page.set_patient(self.patient)
        self.patient_changed.emit(self.patient)

    def patient_saved(self, patient: Patient) -> None:
        """A screen changed a patient: refresh the chooser and every screen."""
        self.reload_patients(select=patient.id)

    def _show_page(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        page = list(self.pages.values())[row]
        if hasattr(page, "shown"):
            page.shown()

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(list(self.pages).index(key))

    def resizeEvent(self, event) -> None:
        """Smaller text on a small screen, so that the screens fit 1024x600; from the designed
        size up the text keeps its size and the lists, charts and tables take the room."""
        scale = text_scale(event.size().width(), event.size().height(), largest=1.0)
        if scale != self._text_scale:
            self._text_scale = scale
            fit_text(self, scale)
            self._size_nav()
        super().resizeEvent(event)

    def _size_nav(self) -> None:
        """The list of screens as wide as its longest name."""
        fm = self.nav.fontMetrics()
        widest = max(fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count()))
        self.nav.setFixedWidth(widest + 3 * fm.averageCharWidth() + 16)

    def closeEvent(self, event) -> None:
        from mitpractice.gui.workers import wait_for_jobs

        if self.data.busy:
            # A backup or a restore cut short would lose the file or the store's new state:
            # the window closes by itself once it is done.
            self.data.close_pending = True
            self.statusBar().showMessage(self.tr("The workspace closes when the data being written is done."))
            event.ignore()
            return
        for page in self.pages.values():
            if hasattr(page, "stop"):
                page.stop()
        wait_for_jobs(10_000)
        super().closeEvent(event)


def describe(p: Patient) -> str:
    """One line of a patient's settings for the top bar."""
    from mitpractice.melody import hz_to_note

    return (
        f"low {hz_to_note(p.low_hz)} ({p.low_hz:.0f} Hz) · interval {p.interval:g} · "
        f"tempo {p.tempo:g} · {p.level} · tapping {'on' if p.tapping else 'off'} · "
        f"goal {p.daily_goal_min:g} min/day"
    )


def open_workspace(store: Store, *, ask_pin: bool = True) -> Workspace | None:
    """Ask the PIN (choosing it at first use), then show the workspace; None if cancelled."""
    from mitpractice.gui.therapist.pin_dialog import PinDialog
    from mitpractice.store.pin import PinGuard

    if ask_pin:
        dialog = PinDialog(PinGuard(store))
        if dialog.exec() != PinDialog.DialogCode.Accepted:
            return None
    window = Workspace(store)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    window.show()
    return window
