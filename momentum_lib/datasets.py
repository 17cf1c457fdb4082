"""Small real datasets shipped inside the package (no download, ever).

``digits()`` loads ``momentum_lib/data/digits.npz``: the 1797 8×8 images of
handwritten digits that scikit-learn bundles, the test part of the UCI "Optical Recognition
of Handwritten Digits" set (which has 5620 digits in all; Alpaydin & Kaynak 1998, CC BY 4.0;
see ``data/digits.LICENSE.txt`` and ``data/make_digits.py`` for how the file was made). The
file's sha256 is checked on every load.

References
----------
E. Alpaydin, C. Kaynak (1998), Optical Recognition of Handwritten Digits [Dataset], UCI Machine
Learning Repository. https://doi.org/10.24432/C50P49
scikit-learn, ``sklearn.datasets.load_digits`` (the bundled copy):
https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html
"""

import hashlib
import io
from importlib import resources
from typing import NamedTuple

import numpy as np

DIGITS_SHA256 = "b2dab7b501728c22e9119ad76740b2e17c77a231e42d1e592380d90886f1a05e"


class Split(NamedTuple):
    """Inputs x (n, 64) scaled to [0, 1] and integer labels y (n,), train and validation."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def _digits_bytes():
    data = resources.files("momentum_lib").joinpath("data/digits.npz").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != DIGITS_SHA256:
        raise RuntimeError(f"momentum_lib/data/digits.npz is damaged: sha256 {digest}, "
                           f"expected {DIGITS_SHA256}; reinstall momentum_lib")
    return data


def digits_raw():
    """(images (1797, 8, 8) uint8 with counts 0–16, labels (1797,) uint8), as stored."""
    with np.load(io.BytesIO(_digits_bytes())) as f:
        return f["images"], f["labels"]


def digits(n_val=360, seed=0):
    """The digits as a train/validation ``Split``: x = pixels/16 flattened to 64, float64.

    The split is a seeded random permutation: the last ``n_val`` images are the
    validation set.

    >>> d = digits()
    >>> d.x_train.shape, d.x_val.shape, float(d.x_train.max())
    ((1437, 64), (360, 64), 1.0)
    """
    images, labels = digits_raw()
    n = len(labels)
    if not (isinstance(n_val, (int, np.integer)) and 0 < n_val < n):
        raise ValueError(f"n_val must be an integer between 1 and {n - 1}; got {n_val!r}")
    order = np.random.default_rng(seed).permutation(n)
    x = images.reshape(n, 64).astype(np.float64)[order] / 16.0
    y = labels.astype(np.int64)[order]
    return Split(x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:])


def digits_licence():
    """The text of ``data/digits.LICENSE.txt``: source, creators, licence (CC BY 4.0), checksum."""
    return resources.files("momentum_lib").joinpath("data/digits.LICENSE.txt").read_text(encoding="utf-8")
