"""Where random numbers enter the library, which notebook cells use them, and a way to nudge them.

A digit that a notebook prints must not depend on the machine. The library's own arithmetic on
fixed data is a chain of linear recursions whose rounding errors stay at rounding level; what can
amplify a last-bit difference between two CPUs (another BLAS kernel, another SIMD path for tanh
or exp) into a different printed digit is a chaotic run, and every such run here starts from
random draws (a network's starting weights, mini-batch order, gradient noise). Three tools follow
those draws:

* ``draws_random`` marks a library function whose result depends on the values of a seeded
  random generator. ``random_sources()`` finds, by reading the library's source with ``ast``,
  every function and class that reaches a marked function (wrappers and explorers included).
* ``random_cells(nb)`` reads a notebook's code cells with ``ast`` and names the cells that use
  such a source, directly or through a variable assigned from one. The claims ledgers use it
  (a claim whose evidence cell draws random numbers must name its seeds), and so does the
  reproducibility test (it re-executes the notebooks that have such cells).
* ``nudge_random_draws(rel)`` makes every floating-point number drawn from
  ``numpy.random.default_rng`` afterwards differ from the plain draw by a relative ``rel``
  (alternately up and down). A printed digit that moves under ``rel = 1e-15`` moves on another
  CPU as well.
"""

import ast
import importlib
import pathlib

import numpy as np

PACKAGE = "momentum_lib"
_FLOAT_DRAWS = ("random", "uniform", "standard_normal", "normal", "standard_exponential",
                "exponential", "standard_gamma", "gamma", "beta", "lognormal", "laplace")


def draws_random(fn):
    """Mark ``fn`` as drawing random numbers (its result depends on a seeded generator's values).

    The mark is read from the source by ``random_sources``; at run time it is the attribute
    ``fn.draws_random = True``. Mark the functions that call the generator themselves: callers are
    found from the source.
    """
    fn.draws_random = True
    return fn


def fixed_draws(fn):
    """Mark ``fn`` as drawing only to rebuild fixed, recorded inputs (a replay, not an experiment).

    Its result is the same whatever the seeds of a notebook's experiments, so ``random_sources``
    does not follow it: a caller of ``fn`` is not a random source because of ``fn``.
    """
    fn.fixed_draws = True
    return fn


# ---------------------------------------------------------------- the library's random sources

def _modules():
    """(dotted module name, path, is_package) for every module of the package."""
    root = pathlib.Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path, is_package


def _imports(tree, module, is_package):
    """Local name -> dotted name, for every import of the package inside ``tree``."""
    package = module if is_package else module.rpartition(".")[0]
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] == PACKAGE:
                names.update({a.asname or a.name: f"{base}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == PACKAGE:
                    names[a.asname or a.name.split(".")[0]] = a.name if a.asname else PACKAGE
    return names


def _dotted(node):
    """``a.b.c`` for an attribute chain rooted at a name, else None."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(attrs)]) if isinstance(node, ast.Name) else None


def _references(node, resolve):
    """Every dotted name used inside ``node``, resolved by ``resolve`` (None = not ours)."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Name, ast.Attribute)):
            name = _dotted(sub)
            target = resolve(name) if name else None
            if target:
                found.add(target)
    return found


def _is_marked(defn, mark="draws_random"):
    return any((_dotted(d) or "").rpartition(".")[2] == mark for d in defn.decorator_list)


def random_sources():
    """The dotted names of the package's functions and classes that draw random numbers.

    A top-level function or class is a source if it is marked with ``draws_random`` or if its
    body (for a class: any method, or a base class) uses a source, followed through the package's
    own imports until nothing changes. A function marked ``fixed_draws`` is never a source.
    """
    definitions, marked, fixed = {}, set(), set()
    for module, path, is_package in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports = _imports(tree, module, is_package)
        local = {n.name for n in tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

        def resolve(name, imports=imports, local=local, module=module):
            head, _, rest = name.partition(".")
            if head in imports:
                return ".".join(filter(None, [imports[head], rest]))
            return f"{module}.{name}" if head in local else None

        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualified = f"{module}.{node.name}"
                definitions[qualified] = _references(node, resolve) - {qualified}
                if not isinstance(node, ast.ClassDef) and _is_marked(node):
                    marked.add(qualified)
                if not isinstance(node, ast.ClassDef) and _is_marked(node, "fixed_draws"):
                    fixed.add(qualified)
    sources, grew = set(marked), True
    while grew:
        grew = False
        for qualified, refs in definitions.items():
            if qualified not in sources and qualified not in fixed and refs & sources:
                sources.add(qualified)
                grew = True
    return frozenset(sources)


# ---------------------------------------------------------------- notebook cells

def _qualified_name(dotted):
    """The defining module and qualified name of the package object called ``dotted``, or None."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE:
        return None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            continue
    else:
        return None
    for attr in parts[i:]:
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            return None
    if hasattr(obj, "__qualname__") and hasattr(obj, "__module__"):
        return f"{obj.__module__}.{obj.__qualname__}"
    return getattr(obj, "__name__", None)


def _targets(node):
    """The names a statement's target binds (``a``, ``a, b``, ``a[i]`` binds ``a`` in place)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def random_cells(nb, sources=None):
    """``{cell id: what draws}`` for the notebook's code cells that use random draws.

    A cell uses random draws if its code refers to one of ``random_sources()`` (through the
    notebook's imports of ``momentum_lib``) or to a variable that an earlier statement bound to a
    value computed from one; binding a variable to a draw-free value clears it. ``what draws``
    names the first such source or variable of the cell. Cells that do not parse as Python
    (shell escapes, magics) are skipped.
    """
    sources = random_sources() if sources is None else sources
    imports, tainted, found = {}, {}, {}

    def why(node):
        """The first random source or tainted variable used in the expression ``node``, else None."""
        if node is None:
            return None
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in tainted:
                return sub.id
            name = _dotted(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else None
            head, _, rest = (name or "").partition(".")
            if head in imports:
                target = _qualified_name(".".join(filter(None, [imports[head], rest])))
                if target in sources:
                    return target.removeprefix(PACKAGE + ".")
        return None

    def bind(targets, cause, replace=True):
        for name in targets:
            if cause:
                tainted[name] = cause
            elif replace:
                tainted.pop(name, None)

    def visit(stmts, uses):
        for stmt in stmts:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                base = getattr(stmt, "module", None) or ""
                for a in stmt.names:
                    full = f"{base}.{a.name}" if isinstance(stmt, ast.ImportFrom) else a.name
                    if full.split(".")[0] == PACKAGE:
                        imports[a.asname or (a.name if base else a.name.split(".")[0])] = \
                            full if (a.asname or base) else PACKAGE
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                cause = why(stmt.value)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                bind(set().union(*map(_targets, targets)), cause,
                     replace=not isinstance(stmt, ast.AugAssign))
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                cause = why(stmt.iter)
                bind(_targets(stmt.target), cause)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                cause = next(filter(None, (why(i.context_expr) for i in stmt.items)), None)
                for item in stmt.items:
                    bind(_targets(item.optional_vars) if item.optional_vars else (), cause)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                cause = why(stmt)
                bind({stmt.name}, cause)
                uses.append(cause)
                continue
            else:
                cause = next(filter(None, (why(getattr(stmt, f, None))
                                           for f in ("value", "test", "exc", "subject"))), None)
            uses.append(cause)
            for block in ("body", "orelse", "finalbody"):
                visit(getattr(stmt, block, []), uses)
            for handler in getattr(stmt, "handlers", []):
                visit(handler.body, uses)

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:
            continue
        uses = []
        visit(tree.body, uses)
        cause = next(filter(None, uses), None)
        if cause:
            found[cell.get("id")] = cause
    return found


# ---------------------------------------------------------------- nudging the draws

class _NudgedGenerator(np.random.Generator):
    """numpy's Generator whose floating-point draws are multiplied by 1 ∓ rel, alternately."""

    def __init__(self, bit_generator, rel):
        super().__init__(bit_generator)
        self._rel = rel


def _nudged(method):
    def draw(self, *args, **kwargs):
        out = getattr(np.random.Generator, method)(self, *args, **kwargs)
        values = np.asarray(out, dtype=np.float64)
        signs = np.where(np.arange(values.size) % 2, 1.0, -1.0).reshape(values.shape)
        nudged = values * (1.0 + self._rel * signs)
        return nudged if np.ndim(out) else float(nudged)
    draw.__name__ = method
    return draw


for _method in _FLOAT_DRAWS:
    setattr(_NudgedGenerator, _method, _nudged(_method))


def nudge_random_draws(rel=1e-15):
    """From now on, ``numpy.random.default_rng(seed)`` draws floats nudged by a relative ``rel``.

    Integers (permutations, indices) are drawn unchanged: they are exact on every machine.
    Returns a function that undoes the change. Meant for a throw-away kernel that re-executes
    a notebook (``tests/test_reproducible.py``), not for library code.
    """
    original = np.random.default_rng

    def default_rng(seed=None):
        if isinstance(seed, np.random.Generator):
            return seed
        bits = seed if isinstance(seed, np.random.BitGenerator) else np.random.PCG64(seed)
        return _NudgedGenerator(bits, rel)

    np.random.default_rng = default_rng

    def undo():
        np.random.default_rng = original

    return undo
