"""Teachers' tools: grade a class's exercise notebooks, make personal graded variants.

    python -m momentum_lib.grading grade submissions/ --csv grades.csv          # practice mode
    python -m momentum_lib.grading variants make --roster roster.csv --secret s --out handout/
    python -m momentum_lib.grading grade submissions/ --roster roster.csv --secret s --jobs 2

Nothing here is imported by a learner's notebook (learners use
``momentum_lib.exercises``). The parts:

* ``run``: the class run (one hand-in after another, or ``jobs`` at once; Ctrl-C stops it);
* ``handins``: finding hand-ins and reading one, whatever its bytes;
* ``sandbox`` and ``caps``: each hand-in in its own bubblewrap sandbox and control group;
* ``results``: which recorded answer counts, and each exercise's status and reason;
* ``graded`` and ``variants``: graded mode, personal variants bound to their students;
* ``report``: CSV, JSON, Canvas and Moodle files and the printed summary, every
  string a hand-in controls made inert.

The teacher's guide is docs/grading.md.
"""

from .run import grade, grade_notebook

__all__ = ["grade", "grade_notebook"]
