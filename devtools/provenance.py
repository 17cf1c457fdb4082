"""What a benchmark result names so that it can be read: the code it measured and the machine."""

import os
import platform
import subprocess

from .servers import REPO


def commit():
    """The checked-out commit (abbreviated), with "+changes" when tracked files differ from it;
    None outside a git checkout."""
    def git(*args):
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)

    head = git("rev-parse", "--short=12", "HEAD")
    if head.returncode != 0:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + ("+changes" if dirty else "")


def machine():
    return {"machine": platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version()}


def load():
    """The load average over 1, 5 and 15 minutes."""
    return [round(x, 2) for x in os.getloadavg()]
