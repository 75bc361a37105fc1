"""scikit-learn's callbacks (``sklearn.callback``, from 1.9) around a fit.

A fit opens one task, with one subtask per iteration (per epoch for the
stochastic solvers, per L-BFGS iteration) that a callback may end with a
request to stop; with an older scikit-learn, ``set_callbacks`` says what it
needs and everything else works.
"""

import sklearn

from . import _xp_network


class CallbackSupportFallback:
    """Stand-in for scikit-learn's callback support, which needs 1.9."""

    def set_callbacks(self, *callbacks):
        """Not available: callbacks need scikit-learn 1.9 or newer.

        Parameters
        ----------
        *callbacks : object
            The callbacks that scikit-learn 1.9 would attach.

        Raises
        ------
        RuntimeError
            Always, naming the scikit-learn version found.
        """
        raise RuntimeError(
            "set_callbacks needs scikit-learn >= 1.9, which provides "
            f"sklearn.callback; this is scikit-learn {sklearn.__version__}."
        )


try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin

    CALLBACKS = True
except ImportError:  # older scikit-learn: everything else works
    CallbackSupportMixin = CallbackSupportFallback
    CALLBACKS = False


def callback_hooks(estimator, X, y, sample_weight, n_steps, output, n_outputs):
    """Open ``estimator``'s fit task for scikit-learn's callbacks, if any are set.

    Returns
    -------
    end_fit : callable or None
        Ends the fit task.
    on_iteration : callable or None
        ``params -> stop``: one subtask per iteration (per epoch for the
        stochastic solvers, per L-BFGS iteration), ended at once with the
        weights reached; True when a callback asks to stop.
    """
    if not (CALLBACKS and getattr(estimator, "_skl_callbacks", None)):
        return None, None
    context = estimator._init_callback_context(max_subtasks=n_steps)
    task = dict(
        estimator=estimator,
        X=X,
        y=y,
        metadata=None if sample_weight is None else {"sample_weight": sample_weight},
    )
    context.call_on_fit_task_begin(**task)

    def on_iteration(params):
        iteration = context.subcontext(task_name="iteration")
        iteration.call_on_fit_task_begin(**task)
        return iteration.call_on_fit_task_end(
            **task,
            reconstruction_attributes=lambda: {
                **{k + "_": _xp_network.copy(v) for k, v in params.items()},
                "out_activation_": output,
                "n_outputs_": n_outputs,
            },
        )

    def end_fit(reconstruction_attributes):
        context.call_on_fit_task_end(
            **task, reconstruction_attributes=reconstruction_attributes
        )

    return end_fit, on_iteration
