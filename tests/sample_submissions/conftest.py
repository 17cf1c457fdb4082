# These notebooks are grading fixtures (one hangs, one is not valid JSON): they are
# run by tests/test_grading.py, never collected by nbval.
collect_ignore_glob = ["*.ipynb"]
