"""The target a patient hears: a therapist's recorded model if one is kept, moved to the
patient's key and tempo, else the voice.

This is the one entry the app uses to get a phrase's sung target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mitpractice.melody import TargetMelody
from mitpractice.phrases import Phrase
from mitpractice.synth.cache import synthesize
from mitpractice.synth.recordings import recorded_target
from mitpractice.synth.singing import SingOptions, SungTarget, apply_options

if TYPE_CHECKING:
    from mitpractice.store import Store


def sung_target(
    set_id: str,
    phrase: Phrase,
    melody: TargetMelody,
    options: SingOptions | None = None,
    *,
    patient: str | None = None,
    store: Store | None = None,
) -> SungTarget:
    """The sung target of ``phrase`` for a patient.

    Parameters
    ----------
    set_id : str
        Id of the phrase set the phrase comes from (recorded models are kept per set).
    phrase : Phrase
        The phrase.
    melody : TargetMelody
        Its notes in the patient's register, interval and tempo. A recorded model is moved to
        them with WORLD (:func:`~mitpractice.synth.retune.retune`), so one recording serves
        every patient.
    options : SingOptions, optional
        Taps and fading apply to both kinds, after the move so they fall on the patient's
        beats; humming is always synthesised.
    patient : str, optional
        Prefer a model recorded for this patient (an id in the store).
    store : Store, optional
        Where therapists' recorded models are kept; without it the target is synthesised.

    Returns
    -------
    SungTarget
        ``source`` says which kind it is.
    """
    options = options or SingOptions()
    if not options.hum and store is not None:
        recorded = recorded_target(set_id, phrase, patient, store=store)
        if recorded is not None:
            from mitpractice.synth.retune import retune

            return apply_options(retune(recorded, melody), options)
    return synthesize(phrase, melody, options)
