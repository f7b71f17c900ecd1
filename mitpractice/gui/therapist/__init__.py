"""The therapist's workspace: patients, their programme, phrase sets, review and progress.

- :mod:`~mitpractice.gui.therapist.window`: :class:`Workspace`, the main window.
- :mod:`~mitpractice.gui.therapist.pin_dialog`: the PIN asked before the workspace opens.
- :mod:`~mitpractice.gui.therapist.patients`, :mod:`.programme`, :mod:`.phrase_editor`,
  :mod:`.review`, :mod:`.progress`: one screen each.

See docs/therapist.md.
"""
