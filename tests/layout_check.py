"""What a person sees wrong in a window's layout, found from the widgets' geometry: a visible
widget outside the window, two visible siblings on top of each other, text that does not
fit its widget (by the font's metrics). Used by tests/test_gui_layout.py at the screen sizes
the windows must fit, from 1024x600 up.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QScrollBar,
    QStackedWidget,
    QWidget,
)

#: Pixels two siblings may share (an antialiased border, a style's focus frame).
OVERLAP_PX = 1
#: Room a button's style takes around its text (px): borders, padding, the bevel.
BUTTON_CHROME_PX = 8


def _name(w: QWidget) -> str:
    text = getattr(w, "text", None)
    text = text() if callable(text) else ""
    label = w.accessibleName() or w.objectName() or ""
    return f"{type(w).__name__}({label!r}{', ' + repr(text[:30]) if text else ''})"


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _scroll_parent(w: QWidget, top: QWidget) -> QAbstractScrollArea | None:
    """The scroll area ``w`` is inside, if any: what lies beyond its viewport is scrolled to,
    not clipped."""
    p = w.parentWidget()
    while p is not None and p is not top:
        if isinstance(p, QAbstractScrollArea):
            return p
        p = p.parentWidget()
    return None


def _push_button_width(w: QPushButton, text: str) -> int:
    """The width ``w`` needs for ``text``, as QPushButton.sizeHint measures it, but without its
    minimum width of an empty button."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    w.initStyleOption(option)
    fm = w.fontMetrics()
    size = fm.size(Qt.TextFlag.TextShowMnemonic, text)
    if not w.icon().isNull():
        size.setWidth(size.width() + w.iconSize().width() + 4)
    return w.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, size, w).width()


def text_problem(w: QWidget) -> str | None:
    """Why ``w``'s text does not fit it, or None."""
    fm = w.fontMetrics()
    if isinstance(w, QLabel):
        text = w.shown_text() if hasattr(w, "shown_text") else w.text()  # an ElidedLabel's part
        if not text or w.textFormat() == Qt.TextFormat.RichText or "<" in text or w.pixmap() is not None:
            if text and w.wordWrap() and w.heightForWidth(w.width()) > w.height() + 2:
                return f"wrapped text needs {w.heightForWidth(w.width())} px, has {w.height()}"
            return None
        margins = w.contentsMargins()
        room = w.width() - margins.left() - margins.right() - 2 * w.margin() - w.indent() * (w.indent() > 0)
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            if need > w.height() + 2:
                return f"wrapped text needs {need} px high, has {w.height()}"
            longest = max((fm.horizontalAdvance(word) for word in text.split()), default=0)
            if longest > room + 1:
                return f"a word needs {longest} px, has {room}"
            return None
        widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if widest > room + 1:
            return f"text needs {widest} px, has {room}"
        lines = text.count("\n") + 1
        if lines * fm.lineSpacing() - fm.leading() > w.height() - margins.top() - margins.bottom() + 2:
            return f"{lines} lines need {lines * fm.lineSpacing()} px high, has {w.height()}"
        return None
    if isinstance(w, QAbstractButton):
        text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if not text:
            return None
        if isinstance(w, (QCheckBox, QRadioButton, QPushButton)):
            # The style's own measure: the text, the box or the padding of a style sheet.
            need = _push_button_width(w, text) if isinstance(w, QPushButton) else w.sizeHint().width()
            if need > w.width():
                return f"needs {need} px, has {w.width()}"
        lines = text.count("\n") + 1
        if lines * fm.height() > w.height():
            return f"{lines} lines need {lines * fm.height()} px high, has {w.height()}"
        return None
    if isinstance(w, QComboBox) and w.currentText():
        arrow = w.style().pixelMetric(w.style().PixelMetric.PM_ScrollBarExtent)
        room = w.width() - arrow - 2 * BUTTON_CHROME_PX
        need = fm.horizontalAdvance(w.currentText())
        if need > room and not w.toolTip():
            return f"choice needs {need} px, has {room} (and no tooltip)"
    if isinstance(w, QProgressBar) and w.isTextVisible():
        need = fm.horizontalAdvance(w.text())
        if need > w.width() - BUTTON_CHROME_PX:
            return f"text needs {need} px, has {w.width() - BUTTON_CHROME_PX}"
    if isinstance(w, QLineEdit) and fm.height() > w.height():
        return f"text {fm.height()} px high, has {w.height()}"
    return None


def layout_problems(window: QWidget) -> list[str]:
    """Every widget visible in ``window`` that is outside it, overlaps a visible sibling or
    does not fit its text; an empty list when the layout is right."""
    problems = []
    bounds = QRect(0, 0, window.width(), window.height())
    for w in window.findChildren(QWidget):
        if not _shown(w) or isinstance(w, QScrollBar):
            continue
        scroll = _scroll_parent(w, window)
        if isinstance(scroll, QAbstractItemView):
            continue  # a list's or a table's own parts (their cells are checked apart)
        page = scroll.widget() if isinstance(scroll, QScrollArea) else None
        if page is not None and (w is page or page.isAncestorOf(w)):
            if w is not page:  # a screen that scrolls: it must hold its widgets
                rect = QRect(w.mapTo(page, w.rect().topLeft()), w.size())
                if not QRect(0, 0, page.width(), page.height()).contains(rect):
                    problems.append(f"{_name(w)} at {rect.getRect()} is outside its screen")
                    continue
        elif scroll is not None:
            continue  # a scroll area's own parts (a text box's, a screen's scroll bars)
        elif not w.isWindow():
            rect = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
            if not bounds.contains(rect):
                problems.append(f"{_name(w)} at {rect.getRect()} is outside the window {bounds.getRect()}")
                continue
        if isinstance(w, QScrollArea) and w.horizontalScrollBar().maximum() > 0:
            problems.append(f"{_name(w)} must be scrolled sideways to see all of it")
        why = text_problem(w)
        if why:
            problems.append(f"{_name(w)}: {why}")
        parent = w.parentWidget()
        if parent is None or isinstance(parent, QStackedWidget):
            continue
        for other in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if other is w or not _shown(other) or id(other) < id(w) or other.isWindow() or w.isWindow():
                continue
            shared = w.geometry().intersected(other.geometry())
            if shared.width() > OVERLAP_PX and shared.height() > OVERLAP_PX:
                problems.append(f"{_name(w)} {w.geometry().getRect()} overlaps {_name(other)} "
                                f"{other.geometry().getRect()}")
    return problems
