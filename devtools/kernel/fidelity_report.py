# Sent as source to a notebook's kernel by devtools.fidelity (never imported): prints, after
# "FIDELITY", what every explorer in the notebook's namespace holds: its kept values, its
# widgets' values, the values behind its figure, and the figure itself.
import base64 as _fb
import hashlib as _fh
import json as _fj

from momentum_lib.explorers import Explorer as _FE


def _fidelity_report():
    out = {}
    for _name, _ex in sorted(globals().items()):
        if isinstance(_ex, _FE) and not _name.startswith("_"):
            out[_name] = {
                "values": dict(_ex.values),
                "widgets": {k: w.value for k, w in _ex.controls.items()},
                "state": {k: _ex.state.get(k) for k in _ex.controls},
                "png": _fh.sha1(_ex.png()).hexdigest(),
                "png_bytes": _fb.b64encode(_ex.png()).decode(),
                "frames_drawn": _ex.frames_drawn,
            }
    return out


print("FIDELITY" + _fj.dumps(_fidelity_report(), default=repr))
