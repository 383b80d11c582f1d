"""jnp.einsum and jnp.einsum_path.

The contraction order comes from opt_einsum when it is installed (as in JAX; ``optimize`` picks the
path); otherwise operands are contracted left to right. Each pairwise contraction becomes one
``dot_general`` (indices only one operand has are summed out first, repeated indices of one operand
take a diagonal), and the result is transposed into the requested order.
"""
from __future__ import annotations

import collections
import string

import numpy as np

from jaxlite._src import core, dtypes
from jaxlite._src.lax import lax
from jaxlite._src.numpy.util import ensure_arraylike

__all__ = ["einsum", "einsum_path"]

try:  # optional: JAX uses it for path optimisation
    import opt_einsum as _opt_einsum
except ImportError:  # pragma: no cover
    _opt_einsum = None


# ---------------------------------------------------------------------------------------------------
# parsing (used when opt_einsum is absent) and a left-to-right path
# ---------------------------------------------------------------------------------------------------

def _parse(subscripts, shapes):
    """Input subscripts (one string per operand) and the output subscript, ellipses expanded."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
    else:
        lhs, out = subscripts, None
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(shapes)} operands")
    used = set(c for c in subscripts if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    ell_rank = max((len(s) - (len(sub) - 3) for sub, s in zip(ins, shapes) if "..." in sub), default=0)
    ell = "".join(free[:ell_rank])
    new_ins = []
    for sub, s in zip(ins, shapes):
        if "..." in sub:
            k = len(s) - (len(sub) - 3)
            sub = sub.replace("...", ell[ell_rank - k:] if k else "")
        if len(sub) != len(s):
            raise ValueError(f"einsum: subscript '{sub}' does not match operand of rank {len(s)}")
        new_ins.append(sub)
    if out is None:
        counts = collections.Counter("".join(new_ins))
        out = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return new_ins, out


def _left_to_right_contractions(ins, out):
    ops = list(ins)
    contractions = []
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        later = "".join(ops[2:]) + out
        res = "".join(dict.fromkeys(c for c in a + b if c in later))
        contractions.append(((0, 0), f"{a},{b}->{res}"))
        ops = ops[2:] + [res]
    if len(ops) == 1 and (not contractions or ops[0] != out):
        contractions.append(((0,), f"{ops[0]}->{out}"))
    return contractions


# ---------------------------------------------------------------------------------------------------
# the contractions
# ---------------------------------------------------------------------------------------------------

def _sum_axes(x, axes):
    return lax.reduce_sum(x, tuple(axes)) if axes else x


def _diagonalize(x, names, keep):
    """Handle letters repeated within one operand: keep the diagonal (and drop the duplicates)."""
    counts = collections.Counter(names)
    for name, count in counts.items():
        if count < 2:
            continue
        axes = [i for i, c in enumerate(names) if c == name]
        # mask of the diagonal over those axes
        mask = None
        for a in axes[1:]:
            e = lax.eq(lax.broadcasted_iota(np.int32, x.shape, axes[0]), lax.broadcasted_iota(np.int32, x.shape, a))
            mask = e if mask is None else lax.bitwise_and(mask, e)
        x = lax.select(mask, x, lax._zeros(x))
        if name in keep:
            x = _sum_axes(x, axes[1:])
            names = "".join(c for i, c in enumerate(names) if i not in axes[1:])
        else:
            x = _sum_axes(x, axes)
            names = "".join(c for i, c in enumerate(names) if i not in axes)
    return x, names


def _transpose_to(x, names, out):
    if names == out:
        return x
    return lax.transpose(x, tuple(names.index(c) for c in out))


def _contract_one(x, names, out):
    x, names = _diagonalize(x, names, out)
    drop = [i for i, c in enumerate(names) if c not in out]
    x = _sum_axes(x, drop)
    names = "".join(c for c in names if c in out)
    return _transpose_to(x, names, out)


def _contract_two(x, xn, y, yn, out, precision, preferred_element_type):
    x, xn = _diagonalize(x, xn, out + yn)
    y, yn = _diagonalize(y, yn, out + xn)
    # letters that only one side has and the result does not need are summed away first
    xd = [i for i, c in enumerate(xn) if c not in yn and c not in out]
    x, xn = _sum_axes(x, xd), "".join(c for c in xn if c in yn or c in out)
    yd = [i for i, c in enumerate(yn) if c not in xn and c not in out]
    y, yn = _sum_axes(y, yd), "".join(c for c in yn if c in xn or c in out)
    batch = [c for c in xn if c in yn and c in out]
    contract = [c for c in xn if c in yn and c not in out]
    swapped = ("".join(batch) + "".join(c for c in yn if c not in xn)
               + "".join(c for c in xn if c not in yn))
    straight = ("".join(batch) + "".join(c for c in xn if c not in yn)
                + "".join(c for c in yn if c not in xn))
    if swapped == out and straight != out:  # put the operands in the order that needs no transpose
        x, xn, y, yn = y, yn, x, xn
    dims = (((tuple(xn.index(c) for c in contract)), tuple(yn.index(c) for c in contract)),
            (tuple(xn.index(c) for c in batch), tuple(yn.index(c) for c in batch)))
    res = lax.dot_general(x, y, dims, precision=precision, preferred_element_type=preferred_element_type)
    names = ("".join(batch) + "".join(c for c in xn if c not in yn)
             + "".join(c for c in yn if c not in xn))
    return _transpose_to(res, names, out)


def _einsum(operands, contractions, precision, preferred_element_type):
    operands = list(operands)
    for inds, spec in contractions:
        ins, out = spec.split("->")
        ins = ins.split(",")
        ops = [operands.pop(i) for i in inds]
        if len(ops) == 1:
            res = _contract_one(ops[0], ins[0], out)
        elif len(ops) == 2:
            res = _contract_two(ops[0], ins[0], ops[1], ins[1], out, precision, preferred_element_type)
        else:
            raise NotImplementedError("einsum contraction of more than two operands in one step")
        operands.append(res)
    return operands[0]


def _optimize_arg(optimize):
    if optimize is True:
        return "optimal"
    if optimize is False:
        return [(0, 1)]  # expanded below to a left-to-right path
    return optimize


def _interleaved_to_subscripts(args):
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])`` to a subscript string and operands."""
    out = None
    if len(args) % 2 == 1:
        args, out = args[:-1], args[-1]
    ops, subs = list(args[0::2]), list(args[1::2])
    letters = {}

    def name(i):
        if i is Ellipsis:
            return "..."
        if i not in letters:
            letters[i] = string.ascii_letters[len(letters)]
        return letters[i]
    spec = ",".join("".join(name(i) for i in s) for s in subs)
    if out is not None:
        spec += "->" + "".join(name(i) for i in out)
    return spec, ops


def einsum(subscripts, /, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None, _dot_general=None, out_sharding=None):
    """Einstein summation over ``operands`` as described by ``subscripts``.

    Each pairwise contraction lowers to one ``dot_general``; ``optimize`` ('auto', 'greedy',
    'optimal', True, False or an explicit path) chooses the order, via opt_einsum when installed.

    Example:
        >>> jnp.einsum("ij,jk->ik", jnp.ones((2, 3)), jnp.ones((3, 4))).shape
        (2, 4)
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.einsum is not supported.")
    if _dot_general is not None:
        raise NotImplementedError("jnp.einsum's _dot_general argument")
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved_to_subscripts((subscripts,) + operands)
    arrays = [ensure_arraylike("einsum", o) for o in operands]
    if preferred_element_type is None:
        dt, weak = dtypes.result_type(*arrays, return_weak_type_flag=True)
        pet = dt
    else:
        from jaxlite._src.numpy.lax_numpy import _dtype_arg
        dt, weak = _dtype_arg(preferred_element_type), False
        pet = dt
    arrays = [lax._convert_element_type(a, dt, weak) for a in arrays]
    ins, outs = _parse(subscripts, [a.shape for a in arrays])
    spec = ",".join(ins) + "->" + outs
    for s in ins:
        for c in set(s):
            sizes = {a.shape[k] for a, sub in zip(arrays, ins) for k, cc in enumerate(sub) if cc == c}
            if len(sizes - {1}) > 1:
                raise ValueError(f"einsum: size of label '{c}' differs between operands: {sorted(sizes)}")
    if _opt_einsum is not None and len(arrays) > 1 and optimize is not False:
        path_type = _optimize_arg(optimize)
        _, contraction_list = _opt_einsum.contract_path(spec, *[core.ShapedArray(a.shape, a.dtype) for a in arrays],
                                                       einsum_call=True, use_blas=True, optimize=path_type)
        contractions = [(c[0], c[2]) for c in contraction_list]
    else:
        contractions = _left_to_right_contractions(ins, outs)
    if not contractions:
        contractions = [((0,), f"{ins[0]}->{outs}")]
    # JAX jits this step with inline=True, so the contractions appear directly in jaxprs
    return _einsum(arrays, tuple(contractions), precision, pet)


def einsum_path(subscripts, /, *operands, optimize="auto"):
    """The contraction path opt_einsum picks for this einsum, and its report (needs opt_einsum)."""
    if _opt_einsum is None:
        raise NotImplementedError("jnp.einsum_path needs the opt_einsum package")
    if isinstance(optimize, bool):
        optimize = "optimal" if optimize else [(0, 1)] * max(len(operands) - 1, 1)
    shapes = [np.shape(o) if not isinstance(o, (core.Array, core.Tracer)) else o.shape for o in operands]
    return _opt_einsum.contract_path(subscripts, *[core.ShapedArray(s, np.float32) for s in shapes],
                                     optimize=optimize)
