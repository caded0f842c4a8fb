"""A small class of submissions for the similarity report, generated into a temporary folder.

Nine students (``INDEPENDENT``) write eight exercise functions each, every one
correct and written their own way (loops or vectorised, ``np.max`` or
``.max``, helper variables or not; a few happen to coincide with each other or
with the reference, as in a real class). ``zed`` copies ``eli``'s package,
renames the variables, reformats, adds comments, reorders statements that do
not depend on each other and renames an argument. ``ref1`` and ``ref2`` paste
the reference, ``blank`` hands in the untouched release. ``hal`` and ``ivy``
each have a module that does not parse; ``ada``'s zip also holds unsafe
members (``../``, an absolute path, a symlink, an oversized file) and ``cai``'s
folder a symlinked module.
"""

from __future__ import annotations

import ast
import shutil
import stat
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "notebooks" / "backproplab"

INDEPENDENT = ["ada", "ben", "cai", "dee", "eli", "fay", "gus", "hal", "ivy"]
COPIED, COPIER = "eli", "zed"

# One body per independent student, in INDEPENDENT order.
VARIANTS: dict[str, list[str]] = {
    "softmax": [
        """
        shifted = Z - np.max(Z, axis=-1, keepdims=True)
        exps = np.exp(shifted)
        return exps / np.sum(exps, axis=-1, keepdims=True)
        """,
        """
        m = Z.max(axis=-1, keepdims=True)
        e = np.exp(Z - m)
        s = e.sum(axis=-1, keepdims=True)
        return e / s
        """,
        """
        if Z.ndim == 1:
            e = np.exp(Z - Z.max())
            return e / e.sum()
        out = np.empty_like(Z)
        for i in range(Z.shape[0]):
            row = np.exp(Z[i] - np.max(Z[i]))
            out[i] = row / row.sum()
        return out
        """,
        """
        Z2 = np.atleast_2d(Z)
        E = np.exp(Z2 - Z2.max(axis=1)[:, None])
        S = E / E.sum(axis=1)[:, None]
        return S.reshape(Z.shape)
        """,
        """
        row_max = np.amax(Z, axis=-1, keepdims=True)
        # the <script>alert(1)</script> trick: subtract the row max
        numer = np.exp(np.subtract(Z, row_max))
        denom = np.sum(numer, axis=-1, keepdims=True)
        probs = numer / denom
        return probs
        """,
        """
        Z = Z - np.max(Z, axis=-1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=-1, keepdims=True)
        return Z
        """,
        """
        z = Z - Z.max(axis=-1, keepdims=True)
        return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        """,
        """
        maxes = np.max(Z, axis=Z.ndim - 1, keepdims=True)
        ex = np.exp(Z - maxes)
        return ex / ex.sum(axis=Z.ndim - 1, keepdims=True)
        """,
        """
        return np.exp(log_softmax(Z))
        """,
    ],
    "log_softmax": [
        """
        shifted = Z - np.max(Z, axis=-1, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        """,
        """
        m = Z.max(axis=-1, keepdims=True)
        lse = m + np.log(np.exp(Z - m).sum(axis=-1, keepdims=True))
        return Z - lse
        """,
        """
        if Z.ndim == 1:
            return Z - Z.max() - np.log(np.exp(Z - Z.max()).sum())
        out = np.empty_like(Z)
        for i in range(Z.shape[0]):
            c = np.max(Z[i])
            out[i] = Z[i] - c - np.log(np.sum(np.exp(Z[i] - c)))
        return out
        """,
        """
        Z2 = np.atleast_2d(Z)
        c = Z2.max(axis=1)[:, None]
        out = Z2 - c - np.log(np.exp(Z2 - c).sum(axis=1)[:, None])
        return out.reshape(Z.shape)
        """,
        """
        row_max = np.amax(Z, axis=-1, keepdims=True)
        centred = np.subtract(Z, row_max)
        log_denom = np.log(np.sum(np.exp(centred), axis=-1, keepdims=True))
        return np.subtract(centred, log_denom)
        """,
        """
        Z = Z - np.max(Z, axis=-1, keepdims=True)
        return Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))
        """,
        """
        z = Z - Z.max(axis=-1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        """,
        """
        a = np.max(Z, axis=Z.ndim - 1, keepdims=True)
        logsum = np.log(np.sum(np.exp(Z - a), axis=Z.ndim - 1, keepdims=True))
        return Z - a - logsum
        """,
        """
        mx = Z.max(-1, keepdims=True)
        return Z - (mx + np.log(np.exp(Z - mx).sum(-1, keepdims=True)))
        """,
    ],
    "softmax_jacobian": [
        """
        return np.diag(s) - np.outer(s, s)
        """,
        """
        k = s.shape[0]
        J = np.zeros((k, k), dtype=s.dtype)
        for i in range(k):
            for j in range(k):
                J[i, j] = s[i] * ((i == j) - s[j])
        return J
        """,
        """
        return np.diag(s) - s[:, None] * s[None, :]
        """,
        """
        S = s.reshape(-1, 1)
        return np.diagflat(S) - S @ S.T
        """,
        """
        eye = np.eye(len(s), dtype=s.dtype)
        jac = np.multiply(s[:, np.newaxis], np.subtract(eye, s[np.newaxis, :]))
        return jac
        """,
        """
        return np.diag(s) - np.outer(s, s)
        """,
        """
        J = -np.outer(s, s)
        J[np.diag_indices_from(J)] += s
        return J
        """,
        """
        J = np.outer(s, -s)
        np.fill_diagonal(J, s * (1 - s))
        return J
        """,
        """
        return np.diag(s) - np.einsum("i,j->ij", s, s)
        """,
    ],
    "sigmoid": [
        """
        out = np.empty_like(Z)
        pos = Z >= 0
        out[pos] = 1 / (1 + np.exp(-Z[pos]))
        e = np.exp(Z[~pos])
        out[~pos] = e / (1 + e)
        return out
        """,
        """
        e = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
        """,
        """
        return 0.5 * (1 + np.tanh(0.5 * Z))
        """,
        """
        return np.exp(-np.logaddexp(0, -Z))
        """,
        """
        neg = np.exp(-np.abs(Z))
        result = np.where(np.greater_equal(Z, 0), np.divide(1, np.add(1, neg)), np.divide(neg, np.add(1, neg)))
        return result.astype(Z.dtype)
        """,
        """
        ez = np.exp(np.minimum(Z, 0))
        enz = np.exp(np.minimum(-Z, 0))
        return ez / (ez + enz)
        """,
        None,  # gus: ada's boolean mask in other names, made from it below by `edited`
        """
        return np.where(Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z))))
        """,
        """
        t = np.exp(-np.abs(Z))
        pos = 1.0 / (1.0 + t)
        return np.where(Z < 0, t * pos, pos)
        """,
    ],
    "sigmoid_grad": [
        """
        s = sigmoid(Z)
        return s * (1 - s)
        """,
        """
        sig = sigmoid(Z)
        return sig * (1.0 - sig)
        """,
        """
        return sigmoid(Z) * (1 - sigmoid(Z))
        """,
        """
        s = sigmoid(Z)
        return s - s ** 2
        """,
        """
        sig = sigmoid(Z)
        grad = np.multiply(sig, np.subtract(1, sig))
        return grad
        """,
        """
        s = sigmoid(Z)
        return s * (1 - s)
        """,
        """
        e = np.exp(-np.abs(Z))
        return e / (1 + e) ** 2
        """,
        """
        a = sigmoid(Z)
        return a * (1 - a)
        """,
        """
        s = sigmoid(Z)
        return s * sigmoid(-Z)
        """,
    ],
    "relu": [
        "return np.maximum(Z, 0)",
        "return np.maximum(0, Z)",
        "return Z * (Z > 0)",
        """
        out = Z.copy()
        out[out < 0] = 0
        return out
        """,
        "return np.where(np.greater(Z, 0), Z, np.zeros_like(Z))",
        "return np.maximum(Z, 0)",
        "return np.clip(Z, 0, None)",
        "return np.where(Z > 0, Z, 0).astype(Z.dtype)",
        "return np.maximum(Z, 0.0)",
    ],
    "dense_backward": [
        """
        dA = dZ @ W.T
        dW = A.T @ dZ
        db = dZ.sum(axis=0)
        return dA, dW, db
        """,
        "return dZ.dot(W.T), A.T.dot(dZ), np.sum(dZ, axis=0)",
        """
        dA = np.matmul(dZ, W.transpose())
        dW = np.matmul(A.transpose(), dZ)
        db = np.sum(dZ, 0)
        return dA, dW, db
        """,
        """
        m = A.shape[0]
        dW = np.zeros_like(W)
        for i in range(m):
            dW += np.outer(A[i], dZ[i])
        return dZ @ W.T, dW, dZ.sum(axis=0)
        """,
        """
        grad_input = np.dot(dZ, np.transpose(W))
        grad_weights = np.dot(np.transpose(A), dZ)
        grad_bias = np.sum(dZ, axis=0, keepdims=False)
        return grad_input, grad_weights, grad_bias
        """,
        "return dZ @ W.T, A.T @ dZ, dZ.sum(axis=0)",
        """
        dW = np.einsum("mn,mk->nk", A, dZ)
        dA = np.einsum("mk,nk->mn", dZ, W)
        db = dZ.sum(0)
        return dA, dW, db
        """,
        """
        dA = dZ @ W.T
        dW = A.T @ dZ
        db = np.sum(dZ, axis=0)
        return dA, dW, db
        """,
        """
        db = dZ.sum(axis=0)
        dW = A.T @ dZ
        dA = dZ @ W.T
        return (dA, dW, db)
        """,
    ],
    "softmax_regression_loss_loop": [
        """
        loss = 0.0
        dW = np.zeros_like(W)
        for i in range(m):
            f = X[i] @ W
            s = softmax(f)
            loss += -np.sum(Y[i] * np.log(s))
            J = softmax_jacobian(s)
            dC_ds = -Y[i] / s
            dC_df = J.T @ dC_ds
            dW += np.outer(X[i], dC_df)
        loss = loss / m + l2_penalty(W, lam)
        dW = dW / m + lam * W
        return W.dtype.type(loss), dW.astype(W.dtype)
        """,
        """
        total = 0.0
        grad = np.zeros(W.shape)
        for x, y in zip(X, Y):
            p = softmax(x @ W)
            total -= np.log(p[np.argmax(y)])
            g = softmax_jacobian(p).T @ (-y / p)
            grad += x[:, None] * g[None, :]
        return total / m + lam / 2 * np.sum(W ** 2), grad / m + lam * W
        """,
        """
        L = 0
        G = np.zeros_like(W)
        for i in range(X.shape[0]):
            xi = X[i:i + 1]
            s = softmax(xi @ W)[0]
            c = int(np.argmax(Y[i]))
            L = L - log_softmax(xi @ W)[0][c]
            dsv = np.zeros_like(s)
            dsv[c] = -1 / s[c]
            G = G + xi.T @ (softmax_jacobian(s) @ dsv)[None, :]
        L = L / m + l2_penalty(W, lam)
        return L, G / m + lam * W
        """,
        """
        n, k = W.shape
        dW = np.zeros((n, k), dtype=W.dtype)
        losses = []
        for row in range(m):
            scores = np.dot(X[row], W)
            probs = softmax(scores)
            losses.append(-np.dot(Y[row], log_softmax(scores)))
            upstream = -Y[row] / probs
            local = softmax_jacobian(probs)
            dW += np.outer(X[row], local.T.dot(upstream))
        data_loss = sum(losses) / m
        return data_loss + l2_penalty(W, lam), dW / m + lam * W
        """,
        """
        running_loss = W.dtype.type(0)
        grad_acc = np.zeros_like(W)
        for idx in range(m):
            x_i, y_i = X[idx], Y[idx]
            logits_i = np.dot(x_i, W)
            probs_i = softmax(logits_i)
            running_loss = running_loss - np.dot(y_i, log_softmax(logits_i))
            dprobs = np.divide(-y_i, probs_i)
            dlogits = np.dot(softmax_jacobian(probs_i).T, dprobs)
            grad_acc = grad_acc + np.outer(x_i, dlogits)
        avg_loss = running_loss / m
        reg_loss = l2_penalty(W, lam)
        total_grad = grad_acc / m + np.multiply(lam, W)
        return avg_loss + reg_loss, total_grad
        """,
        """
        loss = 0.0
        dW = np.zeros_like(W)
        for i in range(m):
            s = softmax(X[i] @ W)
            j = Y[i].argmax()
            loss -= np.log(s[j])
            dCds = np.zeros_like(s)
            dCds[j] = -1.0 / s[j]
            dW += np.outer(X[i], softmax_jacobian(s).T @ dCds)
        return loss / m + 0.5 * lam * np.sum(W * W), dW / m + lam * W
        """,
        """
        loss, dW = 0.0, np.zeros_like(W)
        for x, y in zip(X, Y):
            f = x @ W
            s = softmax(f)
            loss += -(y * log_softmax(f)).sum()
            dW += np.outer(x, softmax_jacobian(s).T @ (-y / s))
        loss = loss / m + l2_penalty(W, lam)
        return loss, dW / m + lam * W
        """,
        """
        grads = []
        vals = []
        for i in range(m):
            f = X[i].dot(W)
            s = softmax(f)
            vals.append(-(Y[i] * np.log(s)).sum())
            delta = softmax_jacobian(s).T.dot(-Y[i] / s)
            grads.append(np.outer(X[i], delta))
        dW = np.mean(grads, axis=0) + lam * W
        return np.mean(vals) + l2_penalty(W, lam), dW
        """,
        """
        loss = 0.0
        dW = np.zeros_like(W)
        i = 0
        while i < m:
            x = X[i]
            y = Y[i]
            f = W.T @ x
            s = softmax(f)
            loss = loss - float(y @ log_softmax(f))
            J = softmax_jacobian(s)
            dW = dW + np.outer(x, J.T @ (-y / s))
            i += 1
        return loss / m + l2_penalty(W, lam), dW / m + lam * W
        """,
    ],
}


def edited(text: str, *pairs: tuple[str, str]) -> str:
    """`text` with each ``(old, new)`` replaced in turn: a student's version of another's code."""
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# As many students do, gus masks the sign exactly as ada does, in other names (alike there, nowhere else).
VARIANTS["sigmoid"][INDEPENDENT.index("gus")] = edited(
    VARIANTS["sigmoid"][INDEPENDENT.index("ada")], ("out", "s"), ("empty_like", "zeros_like"), ("pos", "mask"),
    ("1 / (1 + np", "1.0 / (1.0 + np"), ("e = ", "ez = "), ("e / (1 + e)", "ez / (1.0 + ez)"))

# zed's copy of eli: renamed, reformatted, commented, independent statements swapped.
COPY: dict[str, str] = {
    "softmax": """
        # numerically stable softmax

        mx = np.amax(Z, keepdims = True, axis = -1)   # max of each row
        top = np.exp( np.subtract(Z, mx) )
        bottom = np.sum(top, keepdims = True, axis = -1)
        result = (top / bottom)
        return result
        """,
    "log_softmax": """
        mx = np.amax(Z,
                     axis=-1, keepdims=True)
        c = np.subtract(Z, mx)
        lognorm = np.log(np.sum(np.exp(c), axis=-1, keepdims=True))  # log of the row sums
        return np.subtract(c, lognorm)
        """,
    "softmax_jacobian": """
        I = np.eye(len(s), dtype=s.dtype)
        out = np.multiply(s[:, np.newaxis],
                          np.subtract(I, s[np.newaxis, :]))
        return out
        """,
    "sigmoid": """
        ex = np.exp(-np.abs(z))
        out = np.where(np.greater_equal(z, 0),
                       np.divide(1, np.add(1, ex)),
                       np.divide(ex, np.add(1, ex)))
        return out.astype(z.dtype)
        """,
    "sigmoid_grad": """
        sg = sigmoid(Z)
        d = np.multiply(sg, np.subtract(1, sg))
        return d
        """,
    "relu": "return np.where(np.greater(Z, 0), Z, np.zeros_like(Z))  # keep positives",
    "dense_backward": """
        gW = np.dot(np.transpose(A), dZ)
        gA = np.dot(dZ, np.transpose(W))
        gb = np.sum(dZ, keepdims=False, axis=0)
        return gA, gW, gb
        """,
    "softmax_regression_loss_loop": """
        acc = np.zeros_like(W)
        total = W.dtype.type(0)
        for t in range(m):
            xt, yt = X[t], Y[t]
            z_t = np.dot(xt, W)
            p_t = softmax(z_t)
            total = total - np.dot(yt, log_softmax(z_t))   # accumulate the loss
            dp = np.divide(-yt, p_t)
            dz = np.dot(softmax_jacobian(p_t).T,
                        dp)
            acc = acc + np.outer(xt, dz)
        reg = l2_penalty(W, lam)
        mean_loss = total / m
        g = acc / m + np.multiply(lam, W)
        return mean_loss + reg, g
        """,
}
# zed also renames sigmoid's argument Z to z (the copy above already uses z).
COPY_EDITS = {
    "activations": [
        ("def sigmoid(Z: np.ndarray)", "def sigmoid(z: np.ndarray)"),
        ('Z = validate.sigmoid(Z)', 'z = validate.sigmoid(z)'),
    ]
}

# The reference's bodies, pasted (ref1 reformats and renames them).
REFERENCE = {
    "softmax": """
        shifted = Z - Z.max(axis=-1, keepdims=True)
        E = np.exp(shifted)
        return E / E.sum(axis=-1, keepdims=True)
        """,
    "softmax_jacobian": "return np.diag(s) - np.outer(s, s)",
    "relu": "return np.maximum(Z, 0)",
    "dense_backward": "return dZ @ W.T, A.T @ dZ, dZ.sum(axis=0)",
}
REFERENCE_RENAMED = {
    **REFERENCE,
    "softmax": """
        # subtract the max
        sh = Z - Z.max(keepdims=True, axis=-1)
        ex = np.exp(sh)
        return ex / ex.sum(axis=-1, keepdims=True)
        """,
}

MODULES = {
    "softmax": ["softmax", "log_softmax", "softmax_jacobian"],
    "activations": ["sigmoid", "sigmoid_grad", "relu"],
    "layers": ["dense_backward"],
    "softmax_regression": ["softmax_regression_loss_loop"],
}


def fill(source: str, bodies: dict[str, str]) -> str:
    """Replace the ``raise NotImplementedError`` of each function in `bodies` by its body."""
    lines = source.splitlines(keepends=True)
    spots = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in bodies:
            raise_ = next(n for n in ast.walk(node) if isinstance(n, ast.Raise))
            spots.append((raise_.lineno, raise_.col_offset, bodies[node.name]))
    for lineno, col, body in sorted(spots, reverse=True):
        lines[lineno - 1 : lineno] = [textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", " " * col)]
    return "".join(lines)


def write_package(dst: Path, bodies: dict[str, str], edits: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    """A whole student package: the release, with `bodies` written into the exercise stubs."""
    shutil.copytree(STUBS, dst, ignore=shutil.ignore_patterns("__pycache__"))
    for module, names in MODULES.items():
        path = dst / f"{module}.py"
        text = fill(path.read_text(encoding="utf-8"), {n: bodies[n] for n in names if n in bodies})
        for old, new in (edits or {}).get(module, []):
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return dst


def zip_folder(folder: Path, zip_path: Path, prefix: str) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            archive.write(path, prefix + path.relative_to(folder.parent).as_posix())
    return archive


def add_hostile_members(archive: zipfile.ZipFile) -> None:
    """Members a safe reader must skip: zip-slip paths, a symlink, a file far over the size cap."""
    archive.writestr("../backproplab/softmax.py", "import os  # zip slip\n")
    archive.writestr("/tmp/backproplab/softmax.py", "import os  # absolute\n")
    link = zipfile.ZipInfo("linked/backproplab/mlp.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(link, "/etc/passwd")
    archive.writestr("big/backproplab/losses.py", " " * 2_000_000)


def students() -> dict[str, dict[str, str]]:
    """Student name -> exercise function -> the body they wrote."""
    bodies = {name: {fn: variants[k] for fn, variants in VARIANTS.items()} for k, name in enumerate(INDEPENDENT)}
    return bodies | {COPIER: COPY, "ref1": REFERENCE_RENAMED, "ref2": REFERENCE, "blank": {}}


def build_class(root: Path) -> Path:
    """Write the class into ``root/submissions`` (zips and folders, variously nested) and return it."""
    work, out = root / "work", root / "submissions"
    work.mkdir()
    out.mkdir()
    layouts = {"ada": "ada/notebooks/", "ben": "", "dee": "submission/", "eli": "eli/", COPIER: "hw/final/", "ref1": "x/"}
    for name, bodies in students().items():
        package = write_package(work / name / "backproplab", bodies, COPY_EDITS if name == COPIER else None)
        if name == "hal":
            with open(package / "activations.py", "a", encoding="utf-8") as handle:
                handle.write("\ndef unfinished(:\n")
        if name == "ivy":
            (package / "losses.py").write_bytes((package / "losses.py").read_bytes() + b'\nNAME = "\xff\xfe not utf-8"\n')
        if name in layouts:
            with zip_folder(package, out / f"{name}.zip", layouts[name]) as archive:
                if name == "ada":
                    add_hostile_members(archive)
        else:
            shutil.copytree(work / name, out / name / "deep" / "nested")
            if name == "cai":  # a symlink where a module should be
                (out / name / "deep" / "nested" / "backproplab" / "mlp.py").unlink()
                (out / name / "deep" / "nested" / "backproplab" / "mlp.py").symlink_to(ROOT / "solutions" / "backproplab" / "mlp.py")
    (out / "notes.txt").write_text("not a submission\n")
    return out
