"""Plots the notebooks share. Each function draws on a new figure and returns it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

__all__ = [
    "plot_history",
    "plot_templates",
    "plot_digits",
    "plot_function_and_derivative",
    "plot_decision_boundary",
    "plot_series",
    "plot_graph",
    "trace_backward",
]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: Mapping[str, Sequence[float]], title: str = ""):
    """Loss per batch (left) and accuracy per epoch (right) from `train.fit`'s history."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(history["loss"], lw=0.8, label="batch loss")
    per_epoch = len(history["loss"]) / max(len(history["epoch_loss"]), 1)
    ax1.plot((np.arange(len(history["epoch_loss"])) + 1) * per_epoch, history["epoch_loss"], "o-", label="epoch mean")
    ax1.set(xlabel="batch", ylabel="loss", title="loss")
    ax1.legend()
    for key in ("train_acc", "val_acc"):
        if key in history:
            ax2.plot(np.arange(1, len(history[key]) + 1), history[key], "o-", label=key.replace("_", " "))
    ax2.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    if ax2.lines:
        ax2.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_templates(W: np.ndarray, shape: tuple[int, int] = (28, 28), labels: Sequence[str] | None = None):
    """Show each column of ``W (784, k)`` as an image: what each class's score looks for."""
    plt = _plt()
    k = W.shape[1]
    fig, axes = plt.subplots(1, k, figsize=(1.3 * k + 0.8, 1.6), layout="constrained")
    lim = np.abs(W).max()
    for j, ax in enumerate(np.atleast_1d(axes)):
        im = ax.imshow(W[:, j].reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(labels[j] if labels else str(j))
        ax.axis("off")
    fig.colorbar(im, ax=list(np.atleast_1d(axes)), fraction=0.02, pad=0.01, label="weight")  # one scale for all
    return fig


def plot_digits(X: np.ndarray, titles: Sequence[str] | None = None, n_cols: int = 10):
    """A grid of 28×28 images from rows of ``X (m, 784)``."""
    plt = _plt()
    n = len(X)
    rows = -(-n // n_cols)
    fig, axes = plt.subplots(rows, n_cols, figsize=(1.2 * n_cols, 1.4 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(X[i].reshape(28, 28), cmap="gray_r")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def plot_function_and_derivative(f: Callable, df: Callable, name: str, z: np.ndarray | None = None):
    """``f(z)`` and ``f'(z)`` side by side on one axis."""
    plt = _plt()
    z = np.linspace(-6, 6, 601) if z is None else z
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(z, f(z), label=f"{name}(z)")
    ax.plot(z, df(z), "--", label=f"{name}'(z)")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(xlabel="z", title=name)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray, title: str = "",
                           ax=None):
    """Colour the plane by ``predict(points)`` and scatter the 2-D data set on top (on `ax`, or a new figure)."""
    plt = _plt()
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, 200)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.contourf(gx, gy, predict(grid).reshape(gx.shape), alpha=0.3, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="viridis", edgecolors="k", linewidths=0.3)
    ax.set(title=title)
    ax.figure.tight_layout()
    return ax.figure


def plot_series(
    series: Mapping[str, Sequence[float]],
    x: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    logx: bool = False,
    logy: bool = False,
    stopped: Sequence[str] = (),
    ax=None,
    legend: str = "best",
):
    """One line per entry of `series` (label → y values), e.g. a sweep or per-layer norms.

    Parameters
    ----------
    series : mapping of label → sequence of float
        The curves; they may have different lengths.
    x : sequence, or mapping of label → sequence, optional
        Shared x values, or one sequence per label; default ``0, 1, 2, …`` per curve.
    logx, logy : bool
        Logarithmic axes.
    stopped : sequence of str
        Labels whose curve ended early (a diverged run): their last finite point gets a large ✕.
    ax : matplotlib Axes, optional
        Draw into this axis instead of a new figure.
    legend : str
        Where the legend goes: a Matplotlib location such as ``"best"``, or ``"outside"`` (right of the axes,
        so it never hides data).
    """
    plt = _plt()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 3.5))
    for label, ys in series.items():
        xs = x.get(label) if isinstance(x, Mapping) else x
        xs = np.arange(len(ys)) if xs is None else np.asarray(xs)[: len(ys)]
        (line,) = ax.plot(xs, ys, "o-" if len(ys) <= 20 else "-", ms=4, lw=1.2, label=label)
        finite = np.flatnonzero(np.isfinite(np.asarray(ys, dtype=float)))
        if label in stopped and finite.size:  # mark the last finite point of a run that stopped
            ax.plot(xs[finite[-1]], ys[finite[-1]], "x", ms=12, mew=3, color=line.get_color())
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logx:
        ax.set_xscale("log")
    elif all(float(v).is_integer() for line in ax.get_lines() for v in line.get_xdata()):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers, epochs: no tick at 1.5
    if logy:
        ax.set_yscale("log")
    ax.grid(True, which="major", alpha=0.3)
    if legend == "outside":
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(fontsize=8, loc=legend)
    fig.tight_layout()
    return fig


def trace_backward(root, run: Callable) -> list:
    """Call ``run(root)`` (a backward pass) and return the tensors whose ``_backward`` it called, in call order.

    Each closure is wrapped for the duration of the call only, so the order is
    the one your `backward` really uses.
    """
    from .tensor import nodes_of

    visited, originals = [], {}
    for t in nodes_of(root):
        if t._backward is not None:
            originals[id(t)] = (t, t._backward)

            def traced(t=t, inner=t._backward):
                visited.append(t)
                inner()

            t._backward = traced
    try:
        run(root)
    finally:
        for t, inner in originals.values():
            t._backward = inner
    return visited


def plot_graph(root, order: Sequence | None = None, title: str = ""):
    """The computational graph of `root`: inputs on the left, one column per depth, each node labelled op and shape.

    Inputs that need a gradient are green, constants grey, computed tensors blue.
    With `order` (tensors, e.g. from `trace_backward`), each visited node gets
    its place in the backward pass in red.
    """
    from .tensor import nodes_of

    plt = _plt()
    nodes = nodes_of(root)
    depth: dict[int, int] = {}

    def level(t) -> int:
        if id(t) not in depth:
            depth[id(t)] = 1 + max((level(p) for p in t.parents), default=-1)
        return depth[id(t)]

    for t in nodes:  # an input sits just before the first op that uses it
        if not t.parents:
            depth[id(t)] = min(level(c) for c in nodes if any(p is t for p in c.parents)) - 1 if t is not root else 0
    columns: dict[int, list] = {}
    for t in sorted(nodes, key=lambda t: (bool(t.parents), -len(nodes_of(t)))):
        columns.setdefault(level(t), []).append(t)
    pos = {}
    for x, col in columns.items():
        for i, t in enumerate(col):
            pos[id(t)] = (x, (len(col) - 1) / 2 - i)
    height = max(len(c) for c in columns.values())
    fig, ax = plt.subplots(figsize=(1.9 * len(columns) + 1, 1.1 * height + 1.2))
    for t in nodes:
        for p in t.parents:
            ax.annotate("", xy=pos[id(t)], xytext=pos[id(p)],
                        arrowprops=dict(arrowstyle="->", color="0.55", shrinkA=24, shrinkB=24, lw=1))
    rank = {id(t): i + 1 for i, t in enumerate(order or [])}
    for t in nodes:
        x, y = pos[id(t)]
        color = "#cfe3f7" if t.parents else ("#d5f0d0" if t.requires_grad else "#e6e6e6")
        ax.text(x, y, t.label(), ha="center", va="center", fontsize=8, bbox=dict(boxstyle="round", fc=color, ec="0.4"))
        if id(t) in rank:
            ax.text(x + 0.32, y + 0.3, str(rank[id(t)]), color="#c0392b", fontsize=10, fontweight="bold", ha="center")
    ax.set(xlim=(-0.6, len(columns) - 0.4), ylim=(-height / 2 - 0.2, height / 2 + 0.2), title=title)
    ax.axis("off")
    fig.tight_layout()
    return fig
