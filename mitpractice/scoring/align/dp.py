"""The generic dynamic programme: an ordered assignment of runs of items to slots.

Nothing here knows about singing. Given what each slot (a target note) costs when it takes a
run of consecutive items (voiced pieces), when it takes none, and what each item costs when
no slot takes it, :func:`ordered_groups` finds the cheapest assignment that keeps both in
order, optionally with one switch to a second set of slot costs on the way (the jump of
:mod:`~mitpractice.scoring.align`). The model that prices the runs is
:meth:`~mitpractice.scoring.align.candidates.NotePricer.note_costs`, as librosa keeps
``sequence.viterbi`` apart from the models that feed it.

The recurrence, for slots ``i`` and items ``j`` (``cost[i, j]``: slots ``< i`` accounted for
with items ``< j``)::

    cost[i + 1, k] = min(cost[i, k] + missing,                       slot i takes nothing
                         min_d cost[i, k - 1 - d] + match[i, k - 1, d])  slot i takes d + 1 items
    cost[i, j]     = min(cost[i, j], cost[i, j - 1] + skip[j - 1])     item j - 1 left out
    cost[n, j]     = min(cost[n, j], min_i cost[i, j] + stop[i, j])    slots i.. all left out
"""

from __future__ import annotations

import numpy as np

#: The rows of ``skip``: leaving an item out before the first slot, between slots, after the last.
BEFORE, INSIDE, AFTER = 0, 1, 2


def ordered_groups(
    match: list[np.ndarray],
    skip: np.ndarray,
    missing: float,
    jump_cost: float = 0.0,
    lead: np.ndarray | None = None,
    tail: np.ndarray | None = None,
    stop: np.ndarray | None = None,
) -> tuple[float, tuple[tuple[int, int] | None, ...], tuple[bool, ...]]:
    """Cheapest ordered assignment of runs of items to slots.

    Parameters
    ----------
    match : list of np.ndarray
        One or two layers, each of shape ``(n, m, depth)``: ``match[layer][i, k - 1, d]`` is
        the cost of slot ``i`` taking the ``d + 1`` items that end before item ``k`` (``inf``
        where there is no such run or it cannot be one slot's). With two layers the
        assignment may switch once, before any slot but the first, from layer 0 to layer 1
        for ``jump_cost``.
    skip : np.ndarray
        Shape ``(3, m)``: the cost of leaving each item out before the first slot, between
        slots and after the last (:data:`BEFORE`, :data:`INSIDE`, :data:`AFTER`).
    missing : float
        The cost of a slot that takes no item.
    jump_cost : float
        The cost of the switch to layer 1.
    lead, tail : np.ndarray, optional
        Shape ``(m + 1,)``: added to leaving out the first ``j`` items before the first slot,
        and to the last slot's run ending before item ``j``.
    stop : np.ndarray, optional
        Shape ``(n + 1, m + 1)``: ``stop[i, j]`` is the cost of leaving every slot from ``i``
        on out at once (the assignment stops there, with the items before ``j`` accounted
        for; the rest are left out after the last slot), instead of ``missing`` for each;
        ``inf`` where it may not stop.

    Returns
    -------
    cost : float
    groups : tuple
        Per slot, ``(first, stop)`` indices of its items, or ``None``.
    after : tuple of bool
        Per slot, whether it lies after the switch (empty when the switch was not taken).

    Examples
    --------
    Two slots, three items: slot 0 fits item 0 well, slot 1 fits item 2; item 1 is cheap to
    leave out.

    >>> inf = np.inf
    >>> match = np.full((2, 3, 1), inf)
    >>> match[0, :, 0] = [0.1, 2.0, 2.0]
    >>> match[1, :, 0] = [2.0, 2.0, 0.2]
    >>> skip = np.full((3, 3), 0.5)
    >>> cost, groups, after = ordered_groups([match], skip, missing=1.0)
    >>> round(cost, 2), groups, after
    (0.8, ((0, 1), (2, 3)), ())

    Stopping after slot 0 costs 0.4 in all, less than slot 1's poor match and its item left out:

    >>> match[1, :, 0] = [2.0, 2.0, 1.5]
    >>> stop = np.full((3, 4), inf)
    >>> stop[1] = 0.4
    >>> cost, groups, after = ordered_groups([match], skip, missing=1.0, stop=stop)
    >>> round(cost, 2), groups
    (1.5, ((0, 1), None))
    """
    layers = len(match)
    n, m, depth = match[0].shape
    ks = np.arange(1, m + 1)[:, None]
    starts_c = np.maximum(ks - 1 - np.arange(depth)[None, :], 0)
    cost = np.full((layers, n + 1, m + 1), np.inf)
    from_skip = np.zeros((layers, n + 1, m + 1), dtype=bool)
    jumped = np.zeros((n + 1, m + 1), dtype=bool)  # layer 1 reached from layer 0 here
    came_from = np.full((layers, n + 1, m + 1), -2)  # start item of the matched run, -1 if missing
    stopped = np.full((layers, m + 1), np.inf)  # cheapest way to stop before the last slot, by item
    stopped_at = np.full((layers, m + 1), -1)  # the first slot left out by it
    arrive = np.full((layers, m + 1), np.inf)
    arrive[0, 0] = 0.0
    runs = np.zeros((3, m + 1))  # running cost of leaving items out: before, inside, after
    np.cumsum(skip, axis=1, out=runs[:, 1:])
    for i in range(n + 1):
        run = runs[BEFORE if i == 0 else AFTER if i == n else INSIDE]
        for layer in range(layers):
            if layer == 1 and 0 < i < n:  # the switch, before slot i
                via_jump = cost[0, i] + jump_cost
                jumped[i] = via_jump < arrive[1]
                arrive[1] = np.minimum(arrive[1], via_jump)
            if i == n:
                stops_here = stopped[layer] < arrive[layer]
                arrive[layer] = np.where(stops_here, stopped[layer], arrive[layer])
                stopped_at[layer, ~stops_here] = -1
                if tail is not None:
                    arrive[layer] = arrive[layer] + tail
            via = arrive[layer] - run
            best = np.minimum.accumulate(via)
            from_skip[layer, i] = via > best
            cost[layer, i] = np.where(from_skip[layer, i], run + best, arrive[layer])
            if i == 0 and layer == 0 and lead is not None:
                cost[0, 0] += lead
            if stop is not None and i < n:
                here = cost[layer, i] + stop[i]
                better = here < stopped[layer]
                stopped[layer, better] = here[better]
                stopped_at[layer, better] = i
        if i == n:
            break
        for layer in range(layers):
            totals = cost[layer, i, starts_c] + match[layer][i]
            d_best = np.argmin(totals, axis=1)
            matched = totals[np.arange(m), d_best]
            none = cost[layer, i] + missing
            arrive[layer] = none
            came_from[layer, i + 1] = -1
            better = matched < none[1:]
            arrive[layer, 1:][better] = matched[better]
            came_from[layer, i + 1, 1:][better] = (ks[:, 0] - 1 - d_best)[better]
    return _trace(cost, from_skip, jumped, came_from, stopped_at)


def _trace(cost, from_skip, jumped, came_from, stopped_at) -> tuple[float, tuple, tuple[bool, ...]]:
    """Follow the table back from its last cell: the total, the runs and the switch."""
    n, m = cost.shape[1] - 1, cost.shape[2] - 1
    groups: list[tuple[int, int] | None] = [None] * n
    after = [False] * n
    layer = int(np.argmin(cost[:, n, m]))
    total = float(cost[layer, n, m])
    i, j = n, m
    while (i, j) != (0, 0):
        if from_skip[layer, i, j]:
            j -= 1
            continue
        if layer == 1 and jumped[i, j]:
            layer = 0
            continue
        if i == n and stopped_at[layer, j] >= 0:  # every slot from there on left out at once
            i = int(stopped_at[layer, j])
            after[i:] = [layer == 1] * (n - i)
            continue
        start = int(came_from[layer, i, j])
        if start >= 0:
            groups[i - 1] = (start, j)
            j = start
        after[i - 1] = layer == 1
        i -= 1
    return total, tuple(groups), tuple(after) if any(after) else ()
