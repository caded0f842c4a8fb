"""A minibatch training loop shared by notebooks 02 and 06.

It knows nothing about the model: you pass a function that returns
``(loss, grads)`` for a batch, and one that predicts labels.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["fit", "accuracy", "minibatches"]

Params = dict[str, np.ndarray]


def accuracy(predict: Callable[[Params, np.ndarray], np.ndarray], params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of `X` whose predicted label equals `y`."""
    return float(np.mean(predict(params, X) == y))


def minibatches(m: int, batch_size: int, rng: np.random.Generator):
    """Index arrays covering a fresh permutation of ``range(m)``; the last batch may be smaller."""
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def fit(
    params: Params,
    loss_and_grads: Callable[[Params, np.ndarray, np.ndarray], tuple[float, Params]],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    epochs: int = 5,
    batch_size: int = 100,
    predict: Callable[[Params, np.ndarray], np.ndarray] | None = None,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    step: Callable[[Params, Params, float], Params] | None = None,
    seed: int = 0,
    progress: bool = True,
    stop_on_nan: bool = True,
) -> tuple[Params, dict[str, list[float]]]:
    """Minibatch gradient descent with a progress bar.

    Parameters
    ----------
    params : dict of ndarray
        Initial parameters (not modified).
    loss_and_grads : callable
        ``loss_and_grads(params, X_batch, Y_batch) -> (loss, grads)``.
    X : ndarray, shape (m, n)
        Training inputs (indexed, never copied as a whole).
    Y : ndarray, shape (m, k)
        One-hot training targets.
    lr : float
        Learning rate.
    epochs, batch_size : int
    predict : callable, optional
        ``predict(params, X) -> labels``; with it the history records accuracies.
    val : (X_val, y_val), optional
        Validation inputs and integer labels, evaluated after each epoch.
    step : callable, optional
        ``step(params, grads, lr) -> new params``; default ``p - lr * g``.
    seed : int
        Seeds the shuffling.
    stop_on_nan : bool
        Stop (and say so in the history) when the loss becomes NaN or inf:
        a diverging run is shown, not hidden.

    Returns
    -------
    params : dict
        Trained parameters.
    history : dict of lists
        ``"loss"`` per batch, ``"epoch_loss"`` (mean per epoch), and with
        `predict` ``"train_acc"`` and, with `val`, ``"val_acc"`` per epoch;
        ``"diverged"`` is ``[1.0]`` when training stopped on a non-finite loss.
    """
    from tqdm.auto import tqdm

    if len(X) != len(Y):
        raise ValueError(f"fit(): X and Y must have the same number of rows; got {len(X)} and {len(Y)}")
    step = step or (lambda p, g, a: {k: v - v.dtype.type(a) * g[k] for k, v in p.items()})
    rng = np.random.default_rng(seed)
    y_train = Y.argmax(axis=1)
    history: dict[str, list[float]] = {"loss": [], "epoch_loss": [], "diverged": [0.0]}
    n_batches = -(-len(X) // batch_size)
    with tqdm(total=epochs * n_batches, desc="training", unit="batch", disable=not progress, leave=False) as bar:
        for epoch in range(epochs):
            losses = []
            for idx in minibatches(len(X), batch_size, rng):
                loss, grads = loss_and_grads(params, X[idx], Y[idx])
                loss = float(loss)
                losses.append(loss)
                if stop_on_nan and not np.isfinite(loss):
                    history["diverged"] = [1.0]
                    break
                params = step(params, grads, lr)
                bar.update(1)
                bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.4f}")
            history["loss"] += losses
            history["epoch_loss"].append(float(np.mean(losses)))
            if predict is not None:
                history.setdefault("train_acc", []).append(accuracy(predict, params, X, y_train))
                if val is not None:
                    history.setdefault("val_acc", []).append(accuracy(predict, params, *val))
            if history["diverged"][0]:
                break
    return params, history
