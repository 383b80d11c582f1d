"""Pytrees: nested containers of leaves, flattened to a list plus a structure.

A treedef (``PyTreeDef``) holds a *structure node*.  Structure nodes are plain
nested Python tuples so that equality and hashing run in C:

* a leaf is represented by ``None``;
* an interior node is ``(kind, node_type, aux, children)`` where ``children``
  is a tuple of structure nodes.

``kind`` is one of the ``_TUPLE``/``_LIST``/``_DICT``/``_NONE``/``_NAMEDTUPLE``/
``_CUSTOM`` small integers below.  For dicts ``aux`` is the tuple of sorted keys;
for custom (registered) nodes it is the auxiliary data returned by the
flatten function; for named tuples ``node_type`` is the named tuple class.

Flattening dispatches on the exact type of each object through one dict lookup
(``_kinds``), which caches the classification of every type it has seen.
"""
from __future__ import annotations

import collections
import dataclasses
import difflib
import functools
import operator
import textwrap
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "PyTreeDef", "tree_flatten", "tree_unflatten", "tree_leaves",
    "tree_structure", "tree_map", "tree_reduce", "tree_reduce_associative",
    "tree_all", "tree_transpose", "tree_broadcast", "tree_flatten_with_path",
    "tree_leaves_with_path", "tree_map_with_path", "keystr", "GetAttrKey",
    "DictKey", "SequenceKey", "FlattenedIndexKey", "KeyEntry", "KeyPath",
    "register_pytree_node", "register_pytree_with_keys",
    "register_pytree_with_keys_class", "register_pytree_node_class",
    "register_dataclass", "register_static", "Partial", "all_leaves",
    "treedef_children", "treedef_is_leaf", "treedef_tuple", "is_tree_node",
    "flatten_one_level", "flatten_one_level_with_keys", "static_field",
]

T = TypeVar("T")
Typ = TypeVar("Typ", bound=type)
Leaf = Any
PyTree = Any

# ---------------------------------------------------------------------------
# Node kinds and type classification
# ---------------------------------------------------------------------------

_LEAF_KIND = 0
_TUPLE = 1
_LIST = 2
_DICT = 3
_NONE = 4
_NAMEDTUPLE = 5
_CUSTOM = 6

_NoneType = type(None)

# type -> kind.  Filled lazily by _classify; entries for registered types are
# written by the registration functions.
_kinds: dict[type, int] = {
    tuple: _TUPLE,
    list: _LIST,
    dict: _DICT,
    _NoneType: _NONE,
}
for _t in (int, float, complex, bool, str, bytes, np.ndarray, np.bool_,
           np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
           np.uint32, np.uint64, np.float16, np.float32, np.float64,
           np.complex64, np.complex128):
    _kinds[_t] = _LEAF_KIND
del _t

_BUILTIN_NODE_TYPES = frozenset((tuple, list, dict, _NoneType))


class _Entry:
    """Registry entry for a custom node type."""
    __slots__ = ("flatten", "unflatten", "flatten_with_keys", "dataclass")

    def __init__(self, flatten, unflatten, flatten_with_keys, dataclass=False):
        self.flatten = flatten
        self.unflatten = unflatten
        self.flatten_with_keys = flatten_with_keys
        self.dataclass = dataclass


_registry: dict[type, _Entry] = {}


def _classify(t):
    if t in _registry:
        k = _CUSTOM
    elif issubclass(t, tuple) and hasattr(t, "_fields"):
        k = _NAMEDTUPLE
    else:
        k = _LEAF_KIND
    if len(_kinds) > 20000:  # guard against unbounded growth
        _reset_kind_cache()
    _kinds[t] = k
    return k


def _reset_kind_cache():
    keep = {t: k for t, k in _kinds.items()
            if t in _BUILTIN_NODE_TYPES or t in _registry}
    _kinds.clear()
    _kinds.update(keep)


def _kind_of(x, _get=_kinds.get):
    t = type(x)
    k = _get(t)
    return _classify(t) if k is None else k


def _is_namedtuple_type(t):
    return issubclass(t, tuple) and hasattr(t, "_fields")


# ---------------------------------------------------------------------------
# Key path entries
# ---------------------------------------------------------------------------

class _KeyBase:
    __slots__ = ()

    def __eq__(self, other):
        return type(other) is type(self) and other._v == self._v

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._v)

    def __reduce__(self):
        return (type(self), (self._v,))

    def __setattr__(self, name, value):
        raise AttributeError(
            f"property of '{type(self).__name__}' object has no setter")


class DictKey(_KeyBase):
    """Path entry for an element of a mapping, printed as ``[key]``."""
    __slots__ = ("_v",)
    __match_args__ = ("key",)

    def __init__(self, key):
        object.__setattr__(self, "_v", key)

    @property
    def key(self):
        return self._v

    def __repr__(self):
        return f"DictKey(key={self._v!r})"

    def __str__(self):
        return f"[{self._v!r}]"


class SequenceKey(_KeyBase):
    """Path entry for an element of a sequence, printed as ``[idx]``."""
    __slots__ = ("_v",)
    __match_args__ = ("idx",)

    def __init__(self, idx):
        if isinstance(idx, bool) or not isinstance(idx, int):
            try:
                idx = operator.index(idx)
            except TypeError:
                raise TypeError(
                    f"SequenceKey(idx) expects an int, got {type(idx).__name__}"
                ) from None
        object.__setattr__(self, "_v", idx)

    @property
    def idx(self):
        return self._v

    def __repr__(self):
        return f"SequenceKey(idx={self._v!r})"

    def __str__(self):
        return f"[{self._v!r}]"


class GetAttrKey(_KeyBase):
    """Path entry for an attribute, printed as ``.name``."""
    __slots__ = ("_v",)
    __match_args__ = ("name",)

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(
                f"GetAttrKey(name) expects a str, got {type(name).__name__}")
        object.__setattr__(self, "_v", name)

    @property
    def name(self):
        return self._v

    def __repr__(self):
        return f"GetAttrKey(name={self._v!r})"

    def __str__(self):
        return f".{self._v}"


class FlattenedIndexKey(_KeyBase):
    """Path entry for the i-th child of a node registered without keys."""
    __slots__ = ("_v",)
    __match_args__ = ("key",)

    def __init__(self, key):
        if isinstance(key, bool) or not isinstance(key, int):
            try:
                key = operator.index(key)
            except TypeError:
                raise TypeError(
                    f"FlattenedIndexKey(key) expects an int, got "
                    f"{type(key).__name__}") from None
        object.__setattr__(self, "_v", key)

    @property
    def key(self):
        return self._v

    def __repr__(self):
        return f"FlattenedIndexKey(key={self._v!r})"

    def __str__(self):
        return f"[<flat index {self._v}>]"


for _cls in (DictKey, SequenceKey, GetAttrKey, FlattenedIndexKey):
    _cls.__module__ = "jaxlite.tree_util"
del _cls

KeyEntry = Any
KeyPath = tuple

# ---------------------------------------------------------------------------
# Flattening (hot path)
# ---------------------------------------------------------------------------


def _sorted_keys(d):
    try:
        return tuple(sorted(d))
    except Exception:
        raise ValueError(
            "Comparator raised exception while sorting pytree dictionary keys."
        ) from None


def _flat(x, leaves, _get=_kinds.get):
    """Appends the leaves of ``x`` to ``leaves``; returns its structure node.

    Kind numbers are written as literals here (see the constants above) to
    avoid global lookups on this hot path.
    """
    t = type(x)
    k = _get(t)
    if k is None:
        k = _classify(t)
    if k == 1 or k == 2:  # tuple, list
        ch = []
        for c in x:
            if _get(type(c)) == 0:
                leaves.append(c)
                ch.append(None)
            else:
                ch.append(_flat(c, leaves))
        return (k, None, None, tuple(ch))
    if k == 3:  # dict
        if x:
            try:
                keys = tuple(sorted(x))
            except Exception:
                _sorted_keys(x)
        else:
            keys = ()
        ch = []
        for key in keys:
            c = x[key]
            if _get(type(c)) == 0:
                leaves.append(c)
                ch.append(None)
            else:
                ch.append(_flat(c, leaves))
        return (3, None, keys, tuple(ch))
    if k == 0:
        leaves.append(x)
        return None
    if k == 4:
        return _NONE_NODE
    if k == 5:  # namedtuple
        aux = None
        children = x
    else:
        children, aux = _registry[t].flatten(x)
    ch = []
    for c in children:
        if _get(type(c)) == 0:
            leaves.append(c)
            ch.append(None)
        else:
            ch.append(_flat(c, leaves))
    return (k, t, aux, tuple(ch))


def _leaves_into(x, leaves, _get=_kinds.get):
    """Like _flat but builds no structure."""
    t = type(x)
    k = _get(t)
    if k is None:
        k = _classify(t)
    if k == 1 or k == 2 or k == 5:
        for c in x:
            if _get(type(c)) == 0:
                leaves.append(c)
            else:
                _leaves_into(c, leaves)
    elif k == 3:
        if x:
            try:
                keys = sorted(x)
            except Exception:
                _sorted_keys(x)
            for key in keys:
                c = x[key]
                if _get(type(c)) == 0:
                    leaves.append(c)
                else:
                    _leaves_into(c, leaves)
    elif k == 0:
        leaves.append(x)
    elif k == 6:
        for c in _registry[t].flatten(x)[0]:
            if _get(type(c)) == 0:
                leaves.append(c)
            else:
                _leaves_into(c, leaves)


_NONE_NODE = (_NONE, None, None, ())


def _one_level(x, k):
    """Children, node type and aux of a node ``x`` of kind ``k`` (not a leaf)."""
    if k == _TUPLE:
        return x, None, None
    if k == _LIST:
        return x, None, None
    if k == _DICT:
        keys = _sorted_keys(x)
        return [x[key] for key in keys], None, keys
    if k == _NONE:
        return (), None, None
    t = type(x)
    if k == _NAMEDTUPLE:
        return x, t, None
    children, aux = _registry[t].flatten(x)
    return children, t, aux


def _flat_is_leaf(x, leaves, is_leaf):
    if is_leaf(x):
        leaves.append(x)
        return None
    k = _kind_of(x)
    if k == 0:
        leaves.append(x)
        return None
    if k == _NONE:
        return _NONE_NODE
    children, t, aux = _one_level(x, k)
    return (k, t, aux, tuple([_flat_is_leaf(c, leaves, is_leaf)
                              for c in children]))


def _keyed_children(x, k):
    """(key, child) pairs, node type and aux of a node ``x`` of kind ``k``."""
    if k == _TUPLE or k == _LIST:
        return [(SequenceKey(i), c) for i, c in enumerate(x)], None, None
    if k == _DICT:
        keys = _sorted_keys(x)
        return [(DictKey(key), x[key]) for key in keys], None, keys
    if k == _NONE:
        return (), None, None
    t = type(x)
    if k == _NAMEDTUPLE:
        return [(GetAttrKey(f), c) for f, c in zip(t._fields, x)], t, None
    entry = _registry[t]
    if entry.flatten_with_keys is not None:
        pairs, aux = entry.flatten_with_keys(x)
        return list(pairs), t, aux
    children, aux = entry.flatten(x)
    return ([(FlattenedIndexKey(i), c) for i, c in enumerate(children)],
            t, aux)


def _flat_with_path(x, path, out, is_leaf):
    if is_leaf is not None and is_leaf(path, x):
        out.append((path, x))
        return None
    k = _kind_of(x)
    if k == 0:
        out.append((path, x))
        return None
    if k == _NONE:
        return _NONE_NODE
    pairs, t, aux = _keyed_children(x, k)
    return (k, t, aux, tuple([_flat_with_path(c, path + (key,), out, is_leaf)
                              for key, c in pairs]))


# ---------------------------------------------------------------------------
# Unflattening
# ---------------------------------------------------------------------------

def _build(node, nxt):
    """Rebuilds the subtree for ``node`` pulling leaves from ``nxt()``."""
    k = node[0]
    vals = []
    for c in node[3]:
        if c is None:
            vals.append(nxt())
        else:
            vals.append(_build(c, nxt))
    if k == 1:
        return tuple(vals)
    if k == 2:
        return vals
    if k == 3:
        return dict(zip(node[2], vals))
    if k == 4:
        return None
    if k == 5:
        return node[1](*vals)
    return _registry[node[1]].unflatten(node[2], tuple(vals))


def _count_leaves(node):
    if node is None:
        return 1
    return sum([1 if c is None else _count_leaves(c) for c in node[3]])


def _count_nodes(node):
    if node is None:
        return 1
    return 1 + sum([1 if c is None else _count_nodes(c) for c in node[3]])


# ---------------------------------------------------------------------------
# Structure printing
# ---------------------------------------------------------------------------

def _node_str(node):
    if node is None:
        return "*"
    k, t, aux, ch = node
    if k == _NONE:
        return "None"
    if k == _TUPLE:
        if len(ch) == 1:
            return f"({_node_str(ch[0])},)"
        return "(" + ", ".join([_node_str(c) for c in ch]) + ")"
    if k == _LIST:
        return "[" + ", ".join([_node_str(c) for c in ch]) + "]"
    if k == _DICT:
        return "{" + ", ".join([f"{key!r}: {_node_str(c)}"
                                for key, c in zip(aux, ch)]) + "}"
    inner = ", ".join([_node_str(c) for c in ch])
    if k == _NAMEDTUPLE:
        return f"CustomNode(namedtuple[{t.__name__}], [{inner}])"
    return f"CustomNode({t.__name__}[{aux}], [{inner}])"


# ---------------------------------------------------------------------------
# flatten_up_to
# ---------------------------------------------------------------------------

_NONE_PREFIX_HINT = (
    "\n\nIn previous releases of JAX, flatten-up-to used to consider None to "
    "be a tree-prefix of non-None values. To obtain the previous behavior, you "
    "can usually write:\n  jax.tree.map(lambda x, y: None if x is None else "
    "f(x, y), a, b, is_leaf=lambda x: x is None)")


def _up_to(node, x, out):
    """Appends to ``out`` the subtrees of ``x`` sitting at the leaves of
    ``node``; raises ValueError (via _up_to_error) on a structure mismatch."""
    k = node[0]
    ch = node[3]
    if k == 1 or k == 2:  # tuple, list
        if type(x) is not (tuple if k == 1 else list) or len(x) != len(ch):
            _up_to_error(node, x)
        children = x
    elif k == 3:  # dict
        keys = node[2]
        if type(x) is not dict or len(x) != len(keys):
            _up_to_error(node, x)
        for key, c in zip(keys, ch):
            try:
                sub = x[key]
            except KeyError:
                _up_to_error(node, x)
            if c is None:
                out.append(sub)
            else:
                _up_to(c, sub, out)
        return
    elif k == 4:
        if x is not None:
            _up_to_error(node, x)
        return
    elif k == 5:
        if type(x) is not node[1] or len(x) != len(ch):
            _up_to_error(node, x)
        children = x
    else:
        t = node[1]
        if type(x) is not t:
            _up_to_error(node, x)
        children, xaux = _registry[t].flatten(x)
        aux = node[2]
        if xaux is not aux and xaux != aux:
            _up_to_error(node, x)
        children = tuple(children)
        if len(children) != len(ch):
            _up_to_error(node, x)
    for c, sub in zip(ch, children):
        if c is None:
            out.append(sub)
        else:
            _up_to(c, sub, out)


def _up_to_checked(node, x):
    """flatten_up_to for a non-leaf ``node``.

    On a mismatch the structures are compared again visiting children right
    to left, because that is the order in which JAX finds (and reports) the
    first mismatch.
    """
    out = []
    try:
        _up_to(node, x, out)
    except ValueError as e:
        _check_right_to_left(node, x)
        raise e
    return out


def _check_right_to_left(node, x):
    if node is None:
        return
    _up_to(_shallow(node), x, [])  # raises on a mismatch at this node
    k = node[0]
    if k == 3:
        children = [x[key] for key in node[2]]
    elif k == 6:
        children = list(_registry[node[1]].flatten(x)[0])
    elif k == 4:
        return
    else:
        children = list(x)
    for c, sub in reversed(list(zip(node[3], children))):
        _check_right_to_left(c, sub)


def _shallow(node):
    """``node`` with every child replaced by a leaf."""
    return (node[0], node[1], node[2], (None,) * len(node[3]))


def _up_to_error(node, x):
    """Raises the ValueError describing why ``x`` does not match ``node``."""
    k, t, aux, ch = node
    if k == _TUPLE or k == _LIST:
        want = tuple if k == _TUPLE else list
        if type(x) is not want:
            raise ValueError(f"Expected {want.__name__}, got {x!r}.")
        what = "Tuple" if k == _TUPLE else "List"
        raise ValueError(f"{what} arity mismatch: {len(x)} != {len(ch)}; "
                         f"{want.__name__}: {x!r}.")
    if k == _DICT:
        if type(x) is not dict:
            raise ValueError(f"Expected dict, got {x!r}.")
        try:
            present = sorted(x)
        except Exception:
            present = list(x)
        raise ValueError(
            f"Dict key mismatch; expected keys: {list(aux)!r}; present "
            f"keys: {present!r}.")
    if k == _NONE:
        raise ValueError(f"Expected None, got {x!r}.{_NONE_PREFIX_HINT}")
    if k == _NAMEDTUPLE:
        if type(x) is not t:
            if _is_namedtuple_type(type(x)):
                raise ValueError(f"Named tuple type mismatch: expected type: "
                                 f"{t!r}, tuple: {x!r}.")
            raise ValueError(f"Expected named tuple, got {x!r}.")
        raise ValueError(f"Named tuple arity mismatch: {len(x)} != "
                         f"{len(ch)}; tuple: {x!r}.")
    entry = _registry[t]
    kind_name = "dataclass node" if entry.dataclass else "node"
    if type(x) is not t:
        raise ValueError(f"Custom {kind_name} type mismatch: expected type: "
                         f"{t!r}, value: {x!r}.")
    children, xaux = entry.flatten(x)
    if xaux is not aux and xaux != aux:
        raise ValueError(f"Mismatch custom {kind_name} data: {aux!r} != "
                         f"{xaux!r}; value: {x!r}.")
    raise ValueError(f"Custom type arity mismatch: {len(tuple(children))} != "
                     f"{len(ch)}; value: {x!r}.")


# ---------------------------------------------------------------------------
# Generated builders: a treedef that is unflattened repeatedly (e.g. a jit
# output structure held in a cache) gets a compiled function that rebuilds
# the tree in a single Python expression.
# ---------------------------------------------------------------------------

_COMPILE_AFTER = 4       # unflatten calls on one treedef before compiling
_COMPILE_MAX_NODES = 1000
_COMPILE_MAX_DEPTH = 40


def _compile_builder(node):
    if _count_nodes(node) > _COMPILE_MAX_NODES:
        return None
    env = {}
    counter = [0]

    def const(value):
        name = f"_c{len(env)}"
        env[name] = value
        return name

    def expr(n, depth):
        if depth > _COMPILE_MAX_DEPTH:
            raise RecursionError
        if n is None:
            i = counter[0]
            counter[0] = i + 1
            return f"L[{i}]"
        k, t, aux, ch = n
        parts = [expr(c, depth + 1) for c in ch]
        if k == _TUPLE:
            return "(" + "".join(p + ", " for p in parts) + ")"
        if k == _LIST:
            return "[" + ", ".join(parts) + "]"
        if k == _DICT:
            return "{" + ", ".join(f"{const(key)}: {p}"
                                   for key, p in zip(aux, parts)) + "}"
        if k == _NONE:
            return "None"
        if k == _NAMEDTUPLE:
            return f"{const(t)}(" + ", ".join(parts) + ")"
        fn = const(_registry[t].unflatten)
        return (f"{fn}({const(aux)}, ("
                + "".join(p + ", " for p in parts) + "))")

    try:
        body = expr(node, 0)
        src = f"def _builder(L):\n    return {body}\n"
        code = compile(src, "<pytree builder>", "exec")
    except (RecursionError, SyntaxError, MemoryError):
        return None
    exec(code, env)
    return env["_builder"]


# ---------------------------------------------------------------------------
# PyTreeDef
# ---------------------------------------------------------------------------

class PyTreeDef:
    """The structure of a pytree: everything but its leaves.

    Instances are immutable, hashable and compare equal when they describe
    the same structure (node types, dict keys and auxiliary data).
    """
    __slots__ = ("_node", "num_leaves", "_hash", "_uses", "_fast")

    def __init__(self, node, num_leaves):
        self._node = node
        self.num_leaves = num_leaves
        self._hash = None
        self._uses = 0
        self._fast = None

    # -- identity --------------------------------------------------------
    def __eq__(self, other):
        if self is other:
            return True
        if type(other) is not PyTreeDef:
            return False
        return (self.num_leaves == other.num_leaves
                and self._node == other._node)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hash((self.num_leaves, self._node))
        return h

    def __repr__(self):
        return f"PyTreeDef({_node_str(self._node)})"

    __str__ = __repr__

    def __reduce__(self):
        return (PyTreeDef, (self._node, self.num_leaves))

    def __copy__(self):
        return self  # immutable

    def __deepcopy__(self, memo):
        return self

    # -- queries -----------------------------------------------------------
    @property
    def num_nodes(self):
        return _count_nodes(self._node)

    def children(self):
        node = self._node
        if node is None:
            return []
        return [_LEAF_TREEDEF if c is None else PyTreeDef(c, _count_leaves(c))
                for c in node[3]]

    def node_data(self):
        node = self._node
        if node is None:
            return None
        k, t, aux, _ = node
        if k == _TUPLE:
            return (tuple, None)
        if k == _LIST:
            return (list, None)
        if k == _DICT:
            return (dict, list(aux))
        if k == _NONE:
            return (_NoneType, None)
        if k == _NAMEDTUPLE:
            return (t, None)
        return (t, aux)

    # -- operations --------------------------------------------------------
    def unflatten(self, leaves):
        n = self.num_leaves
        if type(leaves) is not list:
            try:
                leaves = list(leaves)
            except TypeError:
                raise TypeError(
                    "unflatten(): expected an iterable of leaves, got "
                    f"{type(leaves).__name__}") from None
        if len(leaves) != n:
            if len(leaves) < n:
                raise ValueError(f"Too few leaves for PyTreeDef; expected {n}, "
                                 f"got {len(leaves)}")
            raise ValueError(f"Too many leaves for PyTreeDef; expected {n}.")
        fast = self._fast
        if fast is not None:
            return fast(leaves)
        node = self._node
        if node is None:
            return leaves[0]
        uses = self._uses + 1
        self._uses = uses
        if uses == _COMPILE_AFTER:
            fast = _compile_builder(node)
            if fast is not None:
                self._fast = fast
                return fast(leaves)
        return _build(node, iter(leaves).__next__)

    def flatten_up_to(self, xs):
        node = self._node
        if node is None:
            return [xs]
        return _up_to_checked(node, xs)

    def compose(self, inner):
        """The structure of this tree with every leaf replaced by ``inner``."""
        inner_node = inner._node

        def sub(node):
            if node is None:
                return inner_node
            k, t, aux, ch = node
            return (k, t, aux, tuple([sub(c) for c in ch]))

        return PyTreeDef(sub(self._node), self.num_leaves * inner.num_leaves)

    def walk(self, f_node, f_leaf, leaves):
        """Folds ``leaves`` through the structure: ``f_node(children, aux)``
        at interior nodes and ``f_leaf(leaf)`` (if given) at leaves."""
        nxt = iter(leaves).__next__

        def go(node):
            if node is None:
                x = nxt()
                return f_leaf(x) if f_leaf is not None else x
            return f_node(tuple([go(c) for c in node[3]]), node[2])

        return go(self._node)

    @staticmethod
    def from_node_data_and_children(registry, node_data, children):
        """Builds a treedef from ``node_data()`` and child treedefs."""
        children = list(children)
        if node_data is None:
            return _LEAF_TREEDEF
        t, aux = node_data
        ch = tuple(c._node for c in children)
        n = sum(c.num_leaves for c in children)
        if t is tuple:
            node = (_TUPLE, None, None, ch)
        elif t is list:
            node = (_LIST, None, None, ch)
        elif t is dict:
            node = (_DICT, None, tuple(aux), ch)
        elif t is _NoneType:
            node = _NONE_NODE
        elif t in _registry:
            node = (_CUSTOM, t, aux, ch)
        elif _is_namedtuple_type(t):
            node = (_NAMEDTUPLE, t, None, ch)
        else:
            raise ValueError(f"Unknown pytree node type: {t!r}")
        return PyTreeDef(node, n)


PyTreeDef.__module__ = "jaxlite.tree_util"
_LEAF_TREEDEF = PyTreeDef(None, 1)


# ---------------------------------------------------------------------------
# Public flatten/unflatten API
# ---------------------------------------------------------------------------

def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list, PyTreeDef]:
    """Flattens ``tree`` into ``(leaves, treedef)``."""
    leaves = []
    if is_leaf is None:
        node = _flat(tree, leaves)
    else:
        node = _flat_is_leaf(tree, leaves, is_leaf)
    return leaves, PyTreeDef(node, len(leaves))


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Builds the pytree with structure ``treedef`` from ``leaves``."""
    return treedef.unflatten(leaves)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                ) -> list:
    """The leaves of ``tree`` in flattening order."""
    leaves = []
    if is_leaf is None:
        _leaves_into(tree, leaves)
    else:
        _flat_is_leaf(tree, leaves, is_leaf)
    return leaves


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                   ) -> PyTreeDef:
    """The treedef of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """Treedef of a tuple whose elements have the given structures."""
    treedefs = list(treedefs)
    return PyTreeDef((_TUPLE, None, None, tuple(t._node for t in treedefs)),
                     sum(t.num_leaves for t in treedefs))


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    """Treedefs of the immediate children of ``treedef``'s root."""
    return treedef.children()


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True when ``treedef`` has a single node (a leaf or an empty node)."""
    node = treedef._node
    return node is None or not node[3]


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
    return treedef._node is None


def all_leaves(iterable: Iterable[Any],
               is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when every element of ``iterable`` is itself a leaf."""
    if is_leaf is None:
        return all(_kind_of(x) == 0 for x in iterable)
    items = list(iterable)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(
        a is b for a, b in zip(items, leaves))


def is_tree_node(typ: type) -> bool:
    """True when instances of ``typ`` are pytree nodes rather than leaves."""
    k = _kinds.get(typ)
    if k is None:
        k = _classify(typ)
    return k != 0


def flatten_one_level(tree: Any) -> tuple[Iterable[Any], Hashable]:
    """Children and metadata of the root node of ``tree``."""
    k = _kind_of(tree)
    if k == 0:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    children, t, aux = _one_level(tree, k)
    if k == _DICT:
        return tuple(children), aux
    if k == _NAMEDTUPLE:
        return list(children), t
    return children, aux


def flatten_one_level_with_keys(tree: Any):
    """(key, child) pairs and metadata of the root node of ``tree``."""
    k = _kind_of(tree)
    if k == 0:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    pairs, t, aux = _keyed_children(tree, k)
    return pairs, (t if k == _NAMEDTUPLE else aux)


# ---------------------------------------------------------------------------
# Structure-mismatch diagnostics (tree_map and friends)
# ---------------------------------------------------------------------------

def _child_key_list(x, k):
    return [key for key, _ in _keyed_children(x, k)[0]]


def _prefix_errors(path, prefix, full, is_leaf=None):
    """Yields callables ``name -> ValueError`` describing why ``prefix`` is not
    a tree prefix of ``full``."""
    if is_leaf is not None and is_leaf(prefix):
        return
    k = _kind_of(prefix)
    if k == 0:
        return  # a leaf is a prefix of anything
    if type(prefix) is not type(full):
        def err(name, path=path, p=type(prefix), f=type(full)):
            return ValueError(
                "pytree structure error: different types at key path\n"
                f"    {name}{keystr(path)}\n"
                f"At that key path, the prefix pytree {name} has a subtree of "
                f"type\n    {p}\nbut at the same key path the full pytree has "
                f"a subtree of different type\n    {f}.")
        yield err
        return
    p_children, _, p_meta = _one_level(prefix, k)
    f_children, _, f_meta = _one_level(full, k)
    p_children = tuple(p_children)
    f_children = tuple(f_children)
    p_keys = _child_key_list(prefix, k)
    f_keys = _child_key_list(full, k)
    if k == _NAMEDTUPLE:
        p_meta = f_meta = type(prefix)
    if isinstance(prefix, (list, tuple)):
        if len(prefix) != len(full):
            def err(name, path=path, ty=type(prefix).__name__,
                    n1=len(prefix), n2=len(full)):
                return ValueError(
                    f"pytree structure error: different lengths of {ty} at key "
                    f"path\n    {name}{keystr(path)}\nAt that key path, the "
                    f"prefix pytree {name} has a subtree of type {ty} of length "
                    f"{n1}, but the full pytree has a subtree of the same type "
                    f"but of length {n2}.")
            yield err
            return
    else:
        try:
            diff = set(p_keys).symmetric_difference(set(f_keys))
        except Exception:
            diff = None
        if len(p_children) != len(f_children):
            def err(name, path=path, ty=type(prefix)):
                msg = (
                    "pytree structure error: different numbers of pytree "
                    f"children at key path\n    {name}{keystr(path)}\n"
                    f"At that key path, the prefix pytree {name} has a subtree "
                    f"of type\n    {ty}\nwith {len(p_children)} child keys\n"
                    f"    {' '.join(str(_entry_value(q)) for q in p_keys)}\n"
                    "but at the same key path the full pytree has a subtree of "
                    f"the same type but with {len(f_children)} child keys\n"
                    f"    {' '.join(str(_entry_value(q)) for q in f_keys)}\n")
                if diff is not None:
                    msg += ("so the symmetric difference on key sets is\n"
                            f"    {' '.join(str(_entry_value(q)) for q in diff)}")
                return ValueError(msg)
            yield err
            return
    if p_meta is not f_meta and p_meta != f_meta:
        def err(name, path=path, ty=type(prefix), m1=str(p_meta),
                m2=str(f_meta)):
            d = textwrap.indent("\n".join(difflib.ndiff(m1.splitlines(),
                                                        m2.splitlines())),
                                prefix="    ")
            return ValueError(
                "pytree structure error: different pytree metadata at key "
                f"path\n    {name}{keystr(path)}\nAt that key path, the prefix "
                f"pytree {name} has a subtree of type\n    {ty}\nwith metadata"
                f"\n    {m1}\nbut at the same key path the full pytree has a "
                "subtree of the same type but with metadata\n"
                f"    {m2}\nso the diff in the metadata at these pytree nodes "
                f"is\n{d}")
        yield err
        return
    for key, c1, c2 in zip(p_keys, p_children, f_children):
        yield from _prefix_errors(path + (key,), c1, c2, is_leaf)


def _entry_value(key):
    for attr in ("key", "idx", "name"):
        if hasattr(key, attr):
            return getattr(key, attr)
    return key


def _structure_error(exc, tree, other, is_leaf, name):
    err = next(_prefix_errors((), tree, other, is_leaf), None)
    return err(name) if err is not None else exc


def prefix_errors(prefix_tree, full_tree, is_leaf=None):
    return list(_prefix_errors((), prefix_tree, full_tree, is_leaf))


# ---------------------------------------------------------------------------
# Mapping / reducing
# ---------------------------------------------------------------------------

def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Applies ``f`` leafwise; ``rest`` trees must have ``tree`` as prefix."""
    leaves = []
    node = (_flat(tree, leaves) if is_leaf is None
            else _flat_is_leaf(tree, leaves, is_leaf))
    if not rest:
        out = [f(x) for x in leaves]
    else:
        columns = [leaves]
        for r in rest:
            if node is None:
                columns.append([r])
                continue
            try:
                col = _up_to_checked(node, r)
            except ValueError as e:
                raise _structure_error(e, tree, r, is_leaf,
                                       "tree_map tree") from None
            columns.append(col)
        out = [f(*xs) for xs in zip(*columns)]
    if node is None:
        return out[0]
    return _build(node, iter(out).__next__)


class Unspecified:
    """Marker for an omitted ``initializer``."""


_UNSPECIFIED = Unspecified()


def tree_reduce(function: Callable[[T, Any], T], tree: Any,
                initializer: Any = _UNSPECIFIED,
                is_leaf: Callable[[Any], bool] | None = None) -> T:
    """``functools.reduce`` over the leaves of ``tree``."""
    leaves = tree_leaves(tree, is_leaf)
    if isinstance(initializer, Unspecified):
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def _tree_halving_reduce(seq, op, identity):
    n = len(seq)
    if n == 0:
        if isinstance(identity, Unspecified):
            raise TypeError(
                "Must specify identity for parallel reduction of empty "
                "sequence.")
        return identity
    if n == 1:
        return seq[0]
    mid = n // 2
    return op(_tree_halving_reduce(seq[:mid], op, identity),
              _tree_halving_reduce(seq[mid:], op, identity))


def tree_reduce_associative(operation: Callable[[T, T], T], tree: Any, *,
                            identity: Any = _UNSPECIFIED,
                            is_leaf: Callable[[Any], bool] | None = None) -> T:
    """Reduces the leaves pairwise as a balanced binary tree."""
    return _tree_halving_reduce(tree_leaves(tree, is_leaf), operation,
                                identity)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None
             ) -> bool:
    """True when every leaf is truthy."""
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turns an outer-of-inner tree into an inner-of-outer tree."""
    flat, treedef = tree_flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(
            outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    n_in = inner_treedef.num_leaves
    n_out = outer_treedef.num_leaves
    if treedef.num_leaves != n_in * n_out:
        expected = outer_treedef.compose(inner_treedef)
        raise TypeError(f"Mismatch\n{treedef}\n != \n{expected}")
    rows = [flat[i * n_in:(i + 1) * n_in] for i in range(n_out)]
    cols = [outer_treedef.unflatten(list(col)) for col in zip(*rows)] \
        if n_in else []
    return inner_treedef.unflatten(cols)


def tree_broadcast(prefix_tree: Any, full_tree: Any,
                   is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Repeats each leaf of ``prefix_tree`` over its subtree in ``full_tree``."""
    leaves = broadcast_prefix(prefix_tree, full_tree, is_leaf=is_leaf)
    return tree_structure(full_tree).unflatten(leaves)


def broadcast_prefix(prefix_tree: Any, full_tree: Any,
                     is_leaf: Callable[[Any], bool] | None = None) -> list:
    """Leaves of ``prefix_tree`` repeated to match ``full_tree``'s leaves."""
    p_leaves, p_def = tree_flatten(prefix_tree, is_leaf)
    if p_def._node is None:
        subtrees = [full_tree]
    else:
        try:
            subtrees = _up_to_checked(p_def._node, full_tree)
        except ValueError as e:
            raise _structure_error(e, prefix_tree, full_tree, is_leaf,
                                   "broadcast_prefix prefix_tree") from None
    out = []
    for x, sub in zip(p_leaves, subtrees):
        out.extend([x] * len(tree_leaves(sub)))
    return out


# ---------------------------------------------------------------------------
# Key paths
# ---------------------------------------------------------------------------

def keystr(keys: tuple, *, simple: bool = False, separator: str = "") -> str:
    """Joins the string forms of the entries of a key path.

    With ``simple=True`` each entry is printed as its bare key/index/name.
    """
    if simple:
        return separator.join([str(_entry_value(k)) for k in keys])
    return separator.join([str(k) for k in keys])


def tree_flatten_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                           is_leaf_takes_path: bool = False):
    """Like ``tree_flatten`` but each leaf comes with its key path."""
    pred = is_leaf
    if is_leaf is not None and not is_leaf_takes_path:
        pred = lambda _path, x: is_leaf(x)  # noqa: E731
    out = []
    node = _flat_with_path(tree, (), out, pred)
    return out, PyTreeDef(node, len(out))


def tree_leaves_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                          is_leaf_takes_path: bool = False):
    """``(key_path, leaf)`` pairs of ``tree``."""
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[..., bool] | None = None,
                       is_leaf_takes_path: bool = False) -> Any:
    """Like ``tree_map`` but ``f`` also receives each leaf's key path first."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    paths = [p for p, _ in pairs]
    columns = [paths, [x for _, x in pairs]]
    plain_is_leaf = None if is_leaf_takes_path else is_leaf
    for r in rest:
        try:
            columns.append(treedef.flatten_up_to(r))
        except ValueError as e:
            raise _structure_error(e, tree, r, plain_is_leaf,
                                   "tree_map_with_path tree") from None
    return treedef.unflatten([f(*xs) for xs in zip(*columns)])


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------

def _register(nodetype, entry):
    if nodetype in _registry or nodetype in _BUILTIN_NODE_TYPES:
        raise ValueError(
            f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    _registry[nodetype] = entry
    _kinds[nodetype] = _CUSTOM


def register_pytree_node(nodetype: type, flatten_func: Callable,
                         unflatten_func: Callable,
                         flatten_with_keys_func: Callable | None = None
                         ) -> None:
    """Makes instances of ``nodetype`` (exactly; subclasses are not included)
    interior pytree nodes.

    ``flatten_func(x) -> (children, aux)`` and
    ``unflatten_func(aux, children) -> x``; ``aux`` should be hashable.
    """
    _register(nodetype, _Entry(flatten_func, unflatten_func,
                               flatten_with_keys_func))


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
    """Like ``register_pytree_node`` with a flatten function that returns
    ``((key, child), ...)`` pairs, so that key paths name the children."""
    if not flatten_func:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [c for _, c in pairs], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func,
                         flatten_with_keys)


def register_pytree_node_class(cls: Typ) -> Typ:
    """Class decorator: uses ``cls.tree_flatten`` / ``cls.tree_unflatten``."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"),
                         cls.tree_unflatten)
    return cls


def register_pytree_with_keys_class(cls: Typ) -> Typ:
    """Class decorator: uses ``cls.tree_flatten_with_keys`` (and
    ``tree_flatten`` when defined) with ``cls.tree_unflatten``."""
    plain = (operator.methodcaller("tree_flatten")
             if hasattr(cls, "tree_flatten") else None)
    register_pytree_with_keys(cls,
                              operator.methodcaller("tree_flatten_with_keys"),
                              cls.tree_unflatten, plain)
    return cls


def register_dataclass(nodetype: Typ, data_fields: Sequence[str] | None = None,
                       meta_fields: Sequence[str] | None = None,
                       drop_fields: Sequence[str] = ()) -> Typ:
    """Registers a dataclass-like type whose ``data_fields`` are children and
    whose ``meta_fields`` are static auxiliary data.

    For dataclasses the field lists may be omitted: fields whose metadata has
    ``static=True`` are meta fields and the others are data fields.  Returns
    ``nodetype`` so it can be used as a decorator.
    """
    if data_fields is None or meta_fields is None:
        if (data_fields is None) != (meta_fields is None):
            raise TypeError(
                "register_dataclass: data_fields and meta_fields must both be "
                "specified when either is specified. Got "
                f"data_fields={data_fields!r} meta_fields={meta_fields!r}.")
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(
                "register_dataclass: data_fields and meta_fields are required "
                f"when nodetype is not a dataclass. Got nodetype={nodetype!r}.")
        all_fields = dataclasses.fields(nodetype)
        data_fields = [f.name for f in all_fields
                       if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in all_fields
                       if f.metadata.get("static", False)]
    data_fields = tuple(data_fields)
    meta_fields = tuple(meta_fields)

    if dataclasses.is_dataclass(nodetype):
        init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init}
        init_fields.difference_update(drop_fields)
        given = {*data_fields, *meta_fields}
        if given != init_fields:
            msg = ("data_fields and meta_fields must include all dataclass "
                   "fields with ``init=True`` and only them.")
            missing = init_fields - given
            if missing:
                msg += (f" Missing fields: {missing}. Add them to drop_fields "
                        "to suppress this error.")
            unexpected = given - init_fields
            if unexpected:
                msg += f" Unexpected fields: {unexpected}."
            raise ValueError(msg)
    overlap = set(data_fields) & set(meta_fields)
    if overlap:
        raise ValueError("data_fields and meta_fields must not overlap. "
                         f"Overlapping fields: {overlap}.")

    getters = tuple(operator.attrgetter(n) for n in data_fields)
    meta_getters = tuple(operator.attrgetter(n) for n in meta_fields)
    keys = tuple(GetAttrKey(n) for n in data_fields)

    def flatten(x):
        return (tuple([g(x) for g in getters]),
                tuple([g(x) for g in meta_getters]))

    def flatten_with_keys(x):
        return (tuple([(k, g(x)) for k, g in zip(keys, getters)]),
                tuple([g(x) for g in meta_getters]))

    def unflatten(meta, data):
        kwargs = dict(zip(meta_fields, meta))
        kwargs.update(zip(data_fields, data))
        return nodetype(**kwargs)

    _register(nodetype, _Entry(flatten, unflatten, flatten_with_keys,
                               dataclass=True))
    return nodetype


def register_static(cls: Typ) -> Typ:
    """Registers ``cls`` as a node with no children whose instances are their
    own (hashable) auxiliary data, i.e. static under ``jit``."""
    register_pytree_with_keys(cls, lambda obj: ((), obj),
                              lambda obj, _children: obj)
    return cls


def static_field(**kwargs):
    """``dataclasses.field`` with ``metadata['static'] = True``."""
    metadata = {"static": True, **(kwargs.pop("metadata", None) or {})}
    return dataclasses.field(metadata=metadata, **kwargs)


# OrderedDict keeps insertion order; defaultdict sorts keys and keeps its
# default_factory in the auxiliary data.
register_pytree_with_keys(
    collections.OrderedDict,
    lambda x: (tuple([(DictKey(k), v) for k, v in x.items()]), tuple(x)),
    lambda keys, values: collections.OrderedDict(zip(keys, values)),
    lambda x: (tuple(x.values()), tuple(x)),
)


def _defaultdict_with_keys(d):
    keys = tuple(sorted(d))
    return tuple([(DictKey(k), d[k]) for k in keys]), (d.default_factory, keys)


def _defaultdict_flatten(d):
    keys = tuple(sorted(d))
    return tuple([d[k] for k in keys]), (d.default_factory, keys)


register_pytree_with_keys(
    collections.defaultdict,
    _defaultdict_with_keys,
    lambda aux, values: collections.defaultdict(aux[0], zip(aux[1], values)),
    _defaultdict_flatten,
)


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------

class _CallableProxy:
    """Wraps a callable, forwarding calls, hashing and equality to it.

    Used so that ``Partial(some_partial, ...)`` does not merge arguments with
    the inner partial (``functools.partial`` would otherwise flatten nested
    partials, changing which arguments are pytree children).
    """

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def __hash__(self):
        return hash(self.fun)

    def __eq__(self, other):
        if isinstance(other, _CallableProxy):
            return self.fun == other.fun
        return self.fun == other

    def __repr__(self):
        return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
    """``functools.partial`` that is a pytree node.

    The wrapped function is static auxiliary data; the bound positional and
    keyword arguments are the children, so a ``Partial`` can be passed through
    transformations such as ``jit``.
    """

    def __new__(cls, func, *args, **kwargs):
        if isinstance(func, functools.partial):
            inner = func
            proxy = _CallableProxy(inner)
            out = super().__new__(cls, proxy, *args, **kwargs)
            proxy.func = inner.func
            proxy.args = inner.args
            proxy.keywords = inner.keywords
            return out
        return super().__new__(cls, func, *args, **kwargs)


Partial.__module__ = "jaxlite.tree_util"

register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, children: Partial(func, *children[0], **children[1]),
)
