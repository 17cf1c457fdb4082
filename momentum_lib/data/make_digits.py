"""How ``digits.npz`` was produced (run once by a maintainer; learners never run it).

The file holds scikit-learn's bundled copy of the test set of the UCI "Optical
Recognition of Handwritten Digits" data (Alpaydin & Kaynak, 1998; licence CC BY 4.0,
see ``digits.LICENSE.txt``): 1797 images of 8×8 pixels, each pixel a count 0–16, and
their labels 0–9. Nothing is changed except the storage: uint8 arrays in a compressed
``.npz``, so the notebooks need neither scikit-learn nor a network connection.

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn numpy
    /tmp/sk/bin/python momentum_lib/data/make_digits.py

(recorded with scikit-learn 1.9.1, numpy 2.4.6). It prints the file's sha256, which
``momentum_lib.datasets.DIGITS_SHA256`` pins.
"""

import hashlib
import io
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

OUT = Path(__file__).resolve().parent / "digits.npz"


def main():
    digits = load_digits()
    images = digits.data.astype(np.uint8).reshape(-1, 8, 8)
    assert np.array_equal(images.reshape(-1, 64), digits.data)     # counts 0..16, exact
    labels = digits.target.astype(np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=images, labels=labels)
    OUT.write_bytes(buffer.getvalue())
    print(f"{OUT.name}: {images.shape[0]} images, {OUT.stat().st_size} bytes, "
          f"sha256 {hashlib.sha256(OUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
