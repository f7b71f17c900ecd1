"""The practice window's domain logic, free of Qt, so the window stays a thin shell.

One module per concern:

- :mod:`~mitpractice.practice.steps`: the MIT steps of each level as data, pass thresholds
  and the walk through them (pass → next step, fail → back one).
- :mod:`~mitpractice.practice.takes`: where a take starts and ends, from the microphone's
  samples as they arrive (voice over the room's noise floor, then a pause).
- :mod:`~mitpractice.practice.live`: live pitch tracking during the take and the score the
  moment it ends (:class:`~mitpractice.practice.live.LiveTake`).
- :mod:`~mitpractice.practice.plan`: today's plan: which phrase next, rest prompts, the
  session's cap and progress towards the day's goal.
- :mod:`~mitpractice.practice.tapping`: left-hand taps against the syllables' onsets.
- :mod:`~mitpractice.practice.session`: the session's flow as a state machine driven by
  events (a key, the tune played, the take ended, the score ready).

Import the submodules themselves; this package imports nothing heavy, so the window can
import :mod:`~mitpractice.practice.steps` and :mod:`~mitpractice.practice.plan` at start-up
and leave :mod:`~mitpractice.practice.live` (CREPE, scoring) to load behind it.
See docs/practice.md.
"""
