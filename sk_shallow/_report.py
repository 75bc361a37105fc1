"""The warnings a fit ends with: a :class:`~sk_shallow._stopping.Diagnosis`, in words.

The training policy (:mod:`sk_shallow._stopping`) decides what went wrong in
a run; this module only says it, once, in one warning that names every
problem and the cure, at the line of the user's code that started the fit
(:func:`warn`).
"""

import os
import sys
import threading
import warnings

import sklearn
from sklearn.exceptions import ConvergenceWarning

#: Where the frames of sk_shallow and of the scikit-learn machinery around a
#: fit (``_fit_context``, ``clone``, the model-selection tools and the joblib
#: loop they fit in) live.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn, sys.modules.get("joblib"))
    if module is not None
)


def warn(message, category):
    """:func:`warnings.warn` at the user's line: the first frame outside us.

    A fixed ``stacklevel`` points at the right line for one call path only;
    a fit is reached through ``fit``, ``partial_fit``, a Dask estimator's
    stream, ``_fit_context`` or ``cross_val_score``. The warning points at
    the innermost frame outside sk_shallow and scikit-learn.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    if frame is None:  # called from inside only (a thread's own target)
        level = 2
    warnings.warn(message, category, stacklevel=level)


class at_callers_line(warnings.catch_warnings):
    """Re-issue the warnings raised inside, once it ends, with :func:`warn`.

    Around the validation of a fit's data: scikit-learn's own warnings
    (a column-vector ``y``, feature names) come with a ``stacklevel`` fixed
    for a direct call, and would point inside sk_shallow. Warnings that the
    filters turn into errors are raised where they occur; warnings from
    elsewhere (another thread's, recorded meanwhile) are re-issued as they
    were. The warnings
    module's state is the process's: only the main thread records (a fit in
    another thread keeps scikit-learn's lines), so that concurrent fits
    cannot restore each other's recorders.
    """

    def __init__(self):
        super().__init__(record=True)
        self.caught = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.caught = super().__enter__()
        return self

    def __exit__(self, *exc_info):
        if self.caught is None:
            return
        super().__exit__(*exc_info)
        # Every warning recorded is shown, the call failing or not; only
        # those raised inside sk_shallow or scikit-learn move to the user's
        # line (another thread's keep theirs).
        for w in self.caught:
            if os.path.abspath(w.filename).startswith(_INTERNAL):
                warn(w.message, w.category)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _times(n):
    """``"once"``, ``"twice"``, ``"3 times"``."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _halved(diagnosis):
    """How often the step was halved, and to what.

    Every halving of the run, a stall's too: the count matches the step.
    """
    return (
        f"halve its step {_times(diagnosis.halvings)}, to {diagnosis.learning_rate:.3g}"
    )


def report(diagnosis, advice, *, constant_prediction, activation, chosen_budget):
    """Warn about every way the run of ``diagnosis`` may have ended badly.

    Parameters
    ----------
    diagnosis : Diagnosis
        The run, as :func:`~sk_shallow._training.train` diagnosed it.
    advice : callable
        ``advice() -> str``: what to say about the data's scale (features
        and targets), "" when nothing; called only when there is a
        problem to warn about.
    constant_prediction : str
        What the constant prediction is, in words (``"the class
        frequencies"``).
    activation : str
        The hidden activation, for the saturation warning.
    chosen_budget : bool
        ``max_iter`` was the user's: reaching it always warns, as in
        scikit-learn. The automatic one warns only where more steps help.
    """
    d = diagnosis
    if d.stopped == "callback":
        warn(
            f"Training stopped by a callback after {d.n_iter} "
            "iterations; the model is fitted with the weights reached then.",
            UserWarning,
        )
        return
    if d.stopped == "interrupted":
        warn(
            "Training interrupted by the user; keeping the "
            + ("best weights" if d.validated else "weights")
            + " reached so far.",
            UserWarning,
        )
        return
    problems = []
    budget = chosen_budget or d.more_steps_help
    if d.message and not d.incremental and budget and not d.stood_still:
        message = d.message
        if not (d.validated or d.learned_little):
            message += (
                "; if the model overfits (a training score far above a "
                "held-out one), set early_stopping=True or alpha instead"
            )
        problems.append(message)
    if d.cost_rose:
        problems.append(
            f"the cost ended at {d.final_cost:.4g}, above the {d.start_cost:.4g} "
            "of the starting weights"
        )
    if d.stopped == "stalled_rising":
        problems.append(
            "training stopped because the cost had stopped falling: it was rising"
        )
    step_too_large = bool(problems) and not d.message
    little = not d.cost_rose and d.learned_little
    if not (problems or d.rejected or little or d.saturated_start):
        return
    advice = advice()
    stuck = d.stream_stuck
    # A partial_fit call early in a stream may not have learned yet; it
    # says so where the data's scale is why (its baseline is the chunk's),
    # or once the stream has stayed there for long.
    if little and (advice or not d.incremental or stuck):
        how = "no" if d.final_cost >= d.baseline else "little"
        chunk = " of this chunk" if d.incremental else ""
        calls = d.calls_learning_little
        after = f" after {calls} calls of partial_fit" if stuck else ""
        problems.append(
            f"the model does {how} better than predicting "
            f"{constant_prediction}{chunk}{after} (cost {d.final_cost:.4g} "
            f"against {d.baseline:.4g})"
        )
        if d.stood_still:
            problems.append(
                "its cost stood still over the last tenth of the run, so more "
                "iterations will not help: check that the features carry "
                "information about the target"
            )
        if stuck and not advice and d.learning_rate is not None:
            problems.append(
                "more calls, a larger learning_rate (now "
                f"{d.learning_rate:.3g}) or standardised features "
                "(StandardScaler) may help"
            )
    if d.saturated_start and advice:
        problems.append(
            f"{d.saturated:.0%} of the hidden activations started saturated "
            f"({activation} at its bounds, where its gradient vanishes)"
        )
    if problems:
        if d.rejected:
            problems.append(
                f"the solver had to {_halved(d)}"
                + (", for the calls to come too" if d.incremental else "")
            )
        if d.learning_rate is not None and step_too_large:
            problems.append("lower learning_rate")
        message = "; ".join(problems)
        warn(message[0].upper() + message[1:] + "." + advice, ConvergenceWarning)
    elif d.rejected and (advice or d.incremental):
        # partial_fit: the smaller step stays for the calls to come.
        later = " The calls to come go on with it." if d.incremental else ""
        warn(
            f"The solver had to {_halved(d)}, to keep the cost from rising."
            + later
            + advice,
            ConvergenceWarning,
        )
