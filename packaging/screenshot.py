"""Save the whole screen (``DISPLAY``) as a PNG: ``python packaging/screenshot.py OUT.png``.

packaging/check_installed.sh looks at the installed app's windows with it; any Python with
PySide6 will do, the app's own is not used.
"""

import sys

from PySide6.QtGui import QGuiApplication

if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    if not QGuiApplication.primaryScreen().grabWindow(0).save(sys.argv[1]):
        sys.exit(f"could not write {sys.argv[1]}")
