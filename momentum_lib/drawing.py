"""Colours and type shared by every figure of the series (matplotlib is imported lazily).

Okabe–Ito palette: distinguishable with the common colour-vision deficiencies and
in greyscale on a washed-out projector. The same method keeps the same colour in
every notebook.
"""

METHOD_COLOURS = {
    "sgd": "#D55E00",        # vermillion
    "momentum": "#0072B2",   # blue
    "nesterov": "#009E73",   # bluish green
    "lookahead": "#CC79A7",  # reddish purple
    "theory": "#000000",     # black
    "ema": "#0072B2",
    "pytorch": "#E69F00",    # orange
    "keras": "#56B4E9",      # sky blue
    "optax": "#CC79A7",
    "sutskever": "#009E73",
    "polyak": "#F0E442",     # yellow
    "noisy": "#999999",      # grey: raw mini-batch gradients
}
