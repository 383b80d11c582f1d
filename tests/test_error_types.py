"""Exception types for bad inputs, case by case against JAX.

Each case is a call with a typical mistake in it (a wrong shape or dtype, a traced value where a static one is
needed, an axis out of range, a non-array, None, a string, mismatched pytrees) written once against a namespace
``m`` (``m.jax``, ``m.jnp``, ``m.lax``, ``m.random``, ``m.tree_util``, ``m.nn``, ``m.np``). With real JAX installed
the same call runs through JAX and the exception types must have the same name; without it, the type recorded
next to the case (JAX 0.10.2's) is asserted.
"""
import types

import numpy as np
import pytest

import jaxlite


def _namespace(jax):
    import importlib
    name = jax.__name__
    return types.SimpleNamespace(jax=jax, jnp=importlib.import_module(f"{name}.numpy"),
                                 lax=importlib.import_module(f"{name}.lax"),
                                 random=importlib.import_module(f"{name}.random"),
                                 tree_util=importlib.import_module(f"{name}.tree_util"),
                                 nn=importlib.import_module(f"{name}.nn"), np=np)


def _key(m):
    return m.random.key(0)


def _jit_int(m, fn):
    """``fn`` under jit with a traced int32 scalar (value 3) as its argument."""
    return m.jax.jit(fn)(m.np.int32(3))


def _grad_of(m, fn, *args, **kw):
    return m.jax.grad(fn, **kw)(*args)


# (id, JAX's exception type name, the call)
CASES = [
    # --- creation ---------------------------------------------------------------------------------
    ("eye_traced_N", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.eye(n))),
    ("eye_traced_M", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.eye(3, n))),
    ("eye_float_N", "TypeError", lambda m: m.jnp.eye(2.5)),
    ("arange_None", "TypeError", lambda m: m.jnp.arange(None)),
    ("arange_str", "TypeError", lambda m: m.jnp.arange("3")),
    ("arange_traced", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.arange(n))),
    ("arange_array", "ValueError", lambda m: m.jnp.arange(m.np.ones(3))),
    ("zeros_negative", "TypeError", lambda m: m.jnp.zeros(-1)),
    ("zeros_str_dim", "TypeError", lambda m: m.jnp.zeros((2, "a"))),
    ("zeros_float_dim", "TypeError", lambda m: m.jnp.zeros((2, 1.5))),
    ("zeros_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.zeros(n))),
    ("zeros_bad_dtype", "TypeError", lambda m: m.jnp.zeros(3, dtype="foo")),
    ("ones_traced_tuple", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.ones((2, n)))),
    ("full_shape_mismatch", "ValueError", lambda m: m.jnp.full((2,), m.np.ones(3))),
    ("full_str", "TypeError", lambda m: m.jnp.full(3, "a")),
    ("array_ragged", "ValueError", lambda m: m.jnp.array([1, [2, 3]])),
    ("array_None", "ValueError", lambda m: m.jnp.array(None)),
    ("array_object", "TypeError", lambda m: m.jnp.array(object())),
    ("array_str", "TypeError", lambda m: m.jnp.array("abc")),
    ("asarray_mixed", "TypeError", lambda m: m.jnp.asarray([1, "a"])),
    ("linspace_negative_num", "ValueError", lambda m: m.jnp.linspace(0, 1, -1)),
    ("linspace_traced_num", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.linspace(0, 1, n))),
    ("identity_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.identity(n))),
    ("tri_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.tri(n))),
    ("tri_float", "TypeError", lambda m: m.jnp.tri(2.5)),
    # --- elementwise and shapes -------------------------------------------------------------------
    ("add_broadcast", "TypeError", lambda m: m.jnp.ones(3) + m.jnp.ones(4)),
    ("add_list", "TypeError", lambda m: m.jnp.add([1, 2], 1)),
    ("sin_str", "TypeError", lambda m: m.jnp.sin("a")),
    ("sin_None", "TypeError", lambda m: m.jnp.sin(None)),
    ("sin_list", "TypeError", lambda m: m.jnp.sin([1.0, 2.0])),
    ("sum_list", "TypeError", lambda m: m.jnp.sum([1, 2])),
    ("add_one_arg", "TypeError", lambda m: m.jnp.add(1)),
    ("array_plus_str", "TypeError", lambda m: m.jnp.ones(3) + "a"),
    ("array_plus_None", "TypeError", lambda m: m.jnp.ones(3) + None),
    ("reshape_size", "TypeError", lambda m: m.jnp.reshape(m.jnp.ones(6), (4, 2))),
    ("reshape_two_minus_one", "TypeError", lambda m: m.jnp.ones(6).reshape(-1, -1)),
    ("reshape_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.ones(6).reshape(n, 2))),
    ("dot_mismatch", "TypeError", lambda m: m.jnp.dot(m.jnp.ones(3), m.jnp.ones(4))),
    ("matmul_mismatch", "TypeError", lambda m: m.jnp.matmul(m.jnp.ones((2, 3)), m.jnp.ones((2, 3)))),
    ("matmul_scalar", "ValueError", lambda m: m.jnp.matmul(m.jnp.ones(()), m.jnp.ones(3))),
    ("einsum_mismatch", "ValueError", lambda m: m.jnp.einsum("ij,jk", m.jnp.ones(3), m.jnp.ones(3))),
    ("transpose_repeated", "TypeError", lambda m: m.jnp.transpose(m.jnp.ones((2, 3)), (0, 0))),
    ("transpose_short", "TypeError", lambda m: m.jnp.transpose(m.jnp.ones((2, 3)), (0,))),
    ("concatenate_ndim", "TypeError", lambda m: m.jnp.concatenate([m.jnp.ones(3), m.jnp.ones((2, 2))])),
    ("concatenate_empty", "ValueError", lambda m: m.jnp.concatenate([])),
    ("concatenate_axis", "ValueError", lambda m: m.jnp.concatenate([m.jnp.ones(3), m.jnp.ones(3)], axis=1)),
    ("stack_shapes", "ValueError", lambda m: m.jnp.stack([m.jnp.ones(3), m.jnp.ones(4)])),
    ("stack_empty", "ValueError", lambda m: m.jnp.stack([])),
    ("split_uneven", "ValueError", lambda m: m.jnp.split(m.jnp.ones(5), 2)),
    ("split_traced", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.split(m.jnp.ones(6), n))),
    ("squeeze_non_one", "ValueError", lambda m: m.jnp.squeeze(m.jnp.ones((2, 3)), axis=0)),
    ("expand_dims_axis", "ValueError", lambda m: m.jnp.expand_dims(m.jnp.ones(3), 5)),
    ("moveaxis_axis", "ValueError", lambda m: m.jnp.moveaxis(m.jnp.ones(3), 0, 4)),
    ("broadcast_to_shape", "ValueError", lambda m: m.jnp.broadcast_to(m.jnp.ones(3), (4,))),
    ("broadcast_to_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.broadcast_to(m.jnp.ones(3), (n, 3)))),
    ("tile_float", "TypeError", lambda m: m.jnp.tile(m.jnp.ones(3), 1.5)),
    ("repeat_traced_total", "ConcretizationTypeError",
     lambda m: m.jax.jit(lambda r: m.jnp.repeat(m.jnp.ones(3), r))(m.np.array([1, 2, 3]))),
    ("pad_negative", "ValueError", lambda m: m.jnp.pad(m.jnp.ones(3), -1)),
    ("pad_mode", "NotImplementedError", lambda m: m.jnp.pad(m.jnp.ones(3), 1, mode="foo")),
    ("pad_traced_width", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.pad(m.jnp.ones(3), n))),
    ("diag_3d", "ValueError", lambda m: m.jnp.diag(m.jnp.ones((2, 2, 2)))),
    ("trace_1d", "ValueError", lambda m: m.jnp.trace(m.jnp.ones(3))),
    ("astype_bad", "TypeError", lambda m: m.jnp.ones(3).astype("foo")),
    ("where_one_arg_jit", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.where(m.jnp.arange(4) > n))),
    ("where_two_args", "TypeError", lambda m: m.jnp.where(True, 1)),
    ("nonzero_jit", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.nonzero(m.jnp.arange(4) > n))),
    ("unique_jit", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.unique(m.jnp.arange(4) * n))),
    ("argwhere_jit", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.argwhere(m.jnp.arange(4) > n))),
    ("clip_str", "TypeError", lambda m: m.jnp.clip(m.jnp.ones(3), "a")),
    ("round_float_decimals", "TypeError", lambda m: m.jnp.round(m.jnp.ones(3), 1.5)),
    ("isclose_str", "TypeError", lambda m: m.jnp.isclose(m.jnp.ones(3), "a")),
    # --- axes ---------------------------------------------------------------------------------------
    ("sum_axis_range", "ValueError", lambda m: m.jnp.sum(m.jnp.ones(3), axis=2)),
    ("sum_axis_float", "TypeError", lambda m: m.jnp.sum(m.jnp.ones(3), axis=1.5)),
    ("sum_axis_str", "NameError", lambda m: m.jnp.sum(m.jnp.ones(3), axis="a")),
    ("sum_axis_traced", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: m.jnp.sum(m.jnp.ones(3), axis=n))),
    ("mean_axis_repeated", "ValueError", lambda m: m.jnp.mean(m.jnp.ones((2, 2)), axis=(0, 0))),
    ("max_axis_range", "ValueError", lambda m: m.jnp.max(m.jnp.ones(3), axis=-2)),
    ("max_empty", "ValueError", lambda m: m.jnp.max(m.jnp.ones(0))),
    ("argmax_empty", "ValueError", lambda m: m.jnp.argmax(m.jnp.ones(0))),
    ("sort_axis_range", "ValueError", lambda m: m.jnp.sort(m.jnp.ones(3), axis=2)),
    ("cumsum_axis_range", "ValueError", lambda m: m.jnp.cumsum(m.jnp.ones(3), axis=1)),
    ("take_axis_range", "ValueError", lambda m: m.jnp.take(m.jnp.ones(3), 0, axis=1)),
    ("flip_axis_range", "ValueError", lambda m: m.jnp.flip(m.jnp.ones(3), axis=1)),
    ("softmax_axis_range", "ValueError", lambda m: m.nn.softmax(m.jnp.ones(3), axis=2)),
    ("concatenate_traced_axis", "TracerIntegerConversionError",
     lambda m: _jit_int(m, lambda n: m.jnp.concatenate([m.jnp.ones(3), m.jnp.ones(3)], axis=n))),
    # --- indexing -----------------------------------------------------------------------------------
    ("index_float", "TypeError", lambda m: m.jnp.ones(3)[1.5]),
    ("index_str", "TypeError", lambda m: m.jnp.ones(3)["a"]),
    ("index_too_many", "IndexError", lambda m: m.jnp.ones(3)[0, 0]),
    ("index_two_ellipses", "IndexError", lambda m: m.jnp.ones(3)[..., ...]),
    ("index_float_array", "TypeError", lambda m: m.jnp.ones(3)[m.jnp.ones(2)]),
    ("index_list_of_floats", "TypeError", lambda m: m.jnp.ones(3)[[0.5, 1.0]]),
    ("index_bool_jit", "NonConcreteBooleanIndexError",
     lambda m: _jit_int(m, lambda n: m.jnp.ones(4)[m.jnp.arange(4) > n])),
    ("index_bool_shape", "IndexError", lambda m: m.jnp.ones(4)[m.np.array([True, False])]),
    ("slice_traced_bound", "IndexError", lambda m: _jit_int(m, lambda n: m.jnp.ones(4)[:n])),
    ("at_set_float_index", "TypeError", lambda m: m.jnp.ones(3).at[1.5].set(1.0)),
    ("at_unknown_method", "AttributeError", lambda m: m.jnp.ones(3).at[0].foo(1.0)),
    ("at_set_shape", "ValueError", lambda m: m.jnp.ones(3).at[0].set(m.jnp.ones(2))),
    ("setitem", "TypeError", lambda m: m.jnp.ones(3).__setitem__(0, 1.0)),
    ("take_float_index", "ValueError", lambda m: m.jnp.take(m.jnp.ones(3), 1.5)),
    ("dynamic_index_float", "TypeError", lambda m: m.lax.dynamic_index_in_dim(m.jnp.ones(3), 1.5)),
    ("ufunc_at_slice", "TypeError", lambda m: m.jnp.add.at(m.jnp.zeros(5), slice(1, 3), 1.0)),
    ("ufunc_at_slice_not_inplace", "TypeError",
     lambda m: m.jnp.add.at(m.jnp.zeros(5), slice(1, 3), 1.0, inplace=False)),
    ("ufunc_at_ellipsis", "TypeError", lambda m: m.jnp.add.at(m.jnp.zeros(5), ..., 1.0, inplace=False)),
    ("ufunc_at_inplace", "NotImplementedError", lambda m: m.jnp.add.at(m.jnp.zeros(5), 1, 1.0)),
    # --- Python protocols on arrays and tracers ---------------------------------------------------
    ("len_scalar", "TypeError", lambda m: len(m.jnp.array(1.0))),
    ("iter_scalar", "TypeError", lambda m: iter(m.jnp.array(1.0))),
    ("int_vector", "TypeError", lambda m: int(m.jnp.ones(3))),
    ("float_vector", "TypeError", lambda m: float(m.jnp.ones(3))),
    ("bool_vector", "ValueError", lambda m: bool(m.jnp.ones(3))),
    ("item_vector", "ValueError", lambda m: m.jnp.ones(3).item()),
    ("index_with_vector", "TypeError", lambda m: [1, 2, 3][m.jnp.ones(2, int)]),
    ("hash_array", "TypeError", lambda m: hash(m.jnp.ones(3))),
    ("if_tracer", "TracerBoolConversionError", lambda m: _jit_int(m, lambda n: 1 if n > 0 else 2)),
    ("while_tracer", "TracerBoolConversionError", lambda m: _jit_int(m, lambda n: [n for _ in iter(lambda: n > 5, True)])),
    ("and_tracer", "TracerBoolConversionError", lambda m: _jit_int(m, lambda n: (n > 0) and n)),
    ("int_tracer", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: int(n))),
    ("float_tracer", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: float(n))),
    ("complex_tracer", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: complex(n))),
    ("range_tracer", "TracerIntegerConversionError", lambda m: _jit_int(m, lambda n: range(n))),
    ("list_index_tracer", "TracerIntegerConversionError", lambda m: _jit_int(m, lambda n: [1, 2, 3, 4][n])),
    ("asarray_tracer", "TracerArrayConversionError", lambda m: _jit_int(m, lambda n: m.np.asarray(n))),
    ("item_tracer", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: n.item())),
    ("tolist_tracer", "ConcretizationTypeError", lambda m: _jit_int(m, lambda n: n.tolist())),
    ("hash_tracer", "TypeError", lambda m: _jit_int(m, lambda n: hash(n))),
    ("vmap_if", "TracerBoolConversionError", lambda m: m.jax.vmap(lambda x: 1 if x > 0 else 2)(m.jnp.ones(3))),
    ("vmap_int", "ConcretizationTypeError", lambda m: m.jax.vmap(lambda x: int(x))(m.jnp.ones(3))),
    ("shape_from_tracer", "TypeError", lambda m: _jit_int(m, lambda n: m.jnp.ones(3).reshape((n,)))),
    # --- lax --------------------------------------------------------------------------------------
    ("lax_add_shapes", "TypeError", lambda m: m.lax.add(m.jnp.ones(3), m.jnp.ones(4))),
    ("lax_add_dtypes", "TypeError", lambda m: m.lax.add(m.jnp.ones(3), m.jnp.ones(3, "int32"))),
    ("lax_add_str", "TypeError", lambda m: m.lax.add(m.jnp.ones(3), "a")),
    ("lax_sin_int", "TypeError", lambda m: m.lax.sin(m.jnp.ones(3, "int32"))),
    ("lax_slice_bounds", "TypeError", lambda m: m.lax.slice(m.jnp.ones(3), (0,), (5,))),
    ("lax_dynamic_slice_size", "TypeError", lambda m: m.lax.dynamic_slice(m.jnp.ones(3), (0,), (5,))),
    ("lax_dynamic_slice_traced_size", "TypeError",
     lambda m: _jit_int(m, lambda n: m.lax.dynamic_slice(m.jnp.ones(5), (0,), (n,)))),
    ("lax_dynamic_update_slice_rank", "TypeError",
     lambda m: m.lax.dynamic_update_slice(m.jnp.ones(3), m.jnp.ones((1, 1)), (0,))),
    ("lax_concatenate_ranks", "TypeError",
     lambda m: m.lax.concatenate([m.jnp.ones(3), m.jnp.ones((2, 2))], 0)),
    ("lax_concatenate_dim", "TypeError", lambda m: m.lax.concatenate([m.jnp.ones(3), m.jnp.ones(3)], 1)),
    ("lax_dot_general_mismatch", "TypeError",
     lambda m: m.lax.dot_general(m.jnp.ones((2, 3)), m.jnp.ones((4, 2)), (((1,), (0,)), ((), ())))),
    ("lax_convert_bad_dtype", "TypeError", lambda m: m.lax.convert_element_type(m.jnp.ones(3), "foo")),
    ("lax_broadcast_in_dim_shape", "TypeError", lambda m: m.lax.broadcast_in_dim(m.jnp.ones(3), (4,), (0,))),
    ("lax_broadcast_in_dim_dims", "TypeError", lambda m: m.lax.broadcast_in_dim(m.jnp.ones(3), (3, 3), (0, 1))),
    ("lax_transpose_perm", "TypeError", lambda m: m.lax.transpose(m.jnp.ones((2, 3)), (0,))),
    ("lax_iota_negative", "TypeError", lambda m: m.lax.iota("int32", -1)),
    ("lax_full_shape", "TypeError", lambda m: m.lax.full((2,), m.jnp.ones(3))),
    ("lax_pad_config", "ValueError", lambda m: m.lax.pad(m.jnp.ones(3), 0.0, [(1, 1, 0), (1, 1, 0)])),
    ("lax_sort_dimension", "ValueError", lambda m: m.lax.sort(m.jnp.ones(3), dimension=2)),
    ("lax_argmax_axis", "ValueError", lambda m: m.lax.argmax(m.jnp.ones(3), 2, "int32")),
    ("lax_reduce_sum_axes", "ValueError", lambda m: m.lax.reduce_sum(m.jnp.ones(3), (1,))),
    ("lax_squeeze_non_one", "ValueError", lambda m: m.lax.squeeze(m.jnp.ones((2, 3)), (0,))),
    ("lax_rev_dims", "TypeError", lambda m: m.lax.rev(m.jnp.ones(3), (1,))),
    ("lax_select_shapes", "TypeError", lambda m: m.lax.select(m.jnp.ones(3, bool), m.jnp.ones(3), m.jnp.ones(4))),
    ("lax_select_pred_dtype", "TypeError", lambda m: m.lax.select(m.jnp.ones(3), m.jnp.ones(3), m.jnp.ones(3))),
    ("lax_clamp_shapes", "TypeError", lambda m: m.lax.clamp(m.jnp.ones(2), m.jnp.ones(3), m.jnp.ones(4))),
    ("lax_psum_unbound", "NameError", lambda m: m.lax.psum(m.jnp.ones(3), "i")),
    ("lax_axis_index_unbound", "NameError", lambda m: m.lax.axis_index("i")),
    ("lax_psum_wrong_name", "NameError",
     lambda m: m.jax.vmap(lambda x: m.lax.psum(x, "j"), axis_name="i")(m.jnp.ones(3))),
    # --- control flow -------------------------------------------------------------------------------
    ("cond_vector_pred", "TypeError", lambda m: m.lax.cond(m.jnp.ones(3) > 0, lambda x: x, lambda x: x, 1.0)),
    ("cond_branch_dtypes", "TypeError",
     lambda m: m.lax.cond(True, lambda x: x, lambda x: x.astype("int32"), m.jnp.float32(1.0))),
    ("cond_branch_shapes", "TypeError",
     lambda m: m.lax.cond(True, lambda x: x, lambda x: m.jnp.ones(2), m.jnp.float32(1.0))),
    ("cond_branch_trees", "TypeError",
     lambda m: m.lax.cond(True, lambda x: (x, x), lambda x: x, m.jnp.float32(1.0))),
    ("cond_not_callable", "TypeError", lambda m: m.lax.cond(True, 1, lambda x: x, 1.0)),
    ("cond_str_pred", "TypeError", lambda m: m.lax.cond("a", lambda: 1, lambda: 2)),
    ("switch_float_index", "TypeError", lambda m: m.lax.switch(m.jnp.float32(1.0), [lambda: 1, lambda: 2])),
    ("switch_no_branches", "ValueError", lambda m: m.lax.switch(0, [])),
    ("switch_vector_index", "TypeError", lambda m: m.lax.switch(m.jnp.array([0, 1]), [lambda: 1, lambda: 2])),
    ("while_cond_not_bool", "TypeError",
     lambda m: m.lax.while_loop(lambda c: c, lambda c: c - 1, m.jnp.float32(3.0))),
    ("while_cond_vector", "TypeError",
     lambda m: m.lax.while_loop(lambda c: c > 0, lambda c: c - 1, m.jnp.ones(3))),
    ("while_body_dtype", "TypeError",
     lambda m: m.lax.while_loop(lambda c: c < 3, lambda c: c + 1.5, m.jnp.int32(0))),
    ("while_body_tree", "TypeError",
     lambda m: m.lax.while_loop(lambda c: c[0] < 3, lambda c: c[0], (m.jnp.int32(0), m.jnp.int32(0)))),
    ("fori_float_bound", "TypeError", lambda m: m.lax.fori_loop(0, 1.5, lambda i, c: c, 0.0)),
    ("fori_body_dtype", "TypeError", lambda m: m.lax.fori_loop(0, 3, lambda i, c: c + 0.5, m.jnp.int32(0))),
    ("scan_carry_tree", "TypeError",
     lambda m: m.lax.scan(lambda c, x: ((c, c), x), m.jnp.float32(0.0), m.jnp.ones(3))),
    ("scan_carry_dtype", "TypeError",
     lambda m: m.lax.scan(lambda c, x: (c + x, x), m.jnp.int32(0), m.jnp.ones(3))),
    ("scan_length_mismatch", "ValueError",
     lambda m: m.lax.scan(lambda c, x: (c, x), 0.0, (m.jnp.ones(3), m.jnp.ones(4)))),
    ("scan_no_length", "ValueError", lambda m: m.lax.scan(lambda c, x: (c, x), 0.0, None)),
    ("scan_length_disagrees", "ValueError",
     lambda m: m.lax.scan(lambda c, x: (c, x), 0.0, m.jnp.ones(3), length=4)),
    ("scan_body_not_pair", "TypeError", lambda m: m.lax.scan(lambda c, x: c, 0.0, m.jnp.ones(3))),
    ("map_lengths", "ValueError", lambda m: m.lax.map(lambda xy: xy[0], (m.jnp.ones(3), m.jnp.ones(4)))),
    # --- random -------------------------------------------------------------------------------------
    ("random_normal_int_dtype", "ValueError", lambda m: m.random.normal(_key(m), (3,), dtype="int32")),
    ("random_uniform_int_dtype", "ValueError", lambda m: m.random.uniform(_key(m), (3,), dtype="int32")),
    ("random_randint_float_dtype", "TypeError",
     lambda m: m.random.randint(_key(m), (3,), 0, 10, dtype="float32")),
    ("random_normal_bad_dtype", "TypeError", lambda m: m.random.normal(_key(m), (2,), dtype="foo")),
    ("random_normal_traced_shape", "TypeError",
     lambda m: _jit_int(m, lambda n: m.random.normal(m.random.key(0), (n,)))),
    ("random_split_float", "TypeError", lambda m: m.random.split(_key(m), 1.5)),
    ("random_split_traced", "TypeError", lambda m: _jit_int(m, lambda n: m.random.split(m.random.key(0), n))),
    ("random_key_float", "TypeError", lambda m: m.random.key(1.5)),
    ("random_key_str", "TypeError", lambda m: m.random.key("a")),
    ("random_key_vector", "TypeError", lambda m: m.random.key(m.np.ones(3, "int32"))),
    ("random_PRNGKey_float", "TypeError", lambda m: m.random.PRNGKey(1.5)),
    ("random_choice_no_replace", "ValueError",
     lambda m: m.random.choice(_key(m), 5, (10,), replace=False)),
    ("random_choice_empty", "ValueError", lambda m: m.random.choice(_key(m), m.jnp.ones((0,)))),
    ("random_choice_p_shape", "ValueError",
     lambda m: m.random.choice(_key(m), 5, (2,), p=m.jnp.ones(4) / 4)),
    ("random_permutation_float", "TypeError", lambda m: m.random.permutation(_key(m), 1.5)),
    ("random_permutation_scalar_axis", "ValueError",
     lambda m: m.random.permutation(_key(m), m.jnp.ones((2, 2)), axis=3)),
    ("random_bernoulli_str", "TypeError", lambda m: m.random.bernoulli(_key(m), "a")),
    ("random_categorical_axis", "IndexError", lambda m: m.random.categorical(_key(m), m.jnp.ones(3), axis=2)),
    ("random_key_data_array", "TypeError", lambda m: m.random.key_data(m.jnp.ones(3))),
    ("random_batched_keys", "ValueError", lambda m: m.random.normal(m.random.split(_key(m)), (2,))),
    ("random_split_raw_float", "TypeError", lambda m: m.random.split(m.jnp.ones(2))),
    ("random_wrap_bad_shape", "TypeError", lambda m: m.random.wrap_key_data(m.jnp.ones(3, "uint32"))),
    # --- transformations -----------------------------------------------------------------------
    ("grad_vector_output", "TypeError", lambda m: _grad_of(m, lambda x: x, m.jnp.ones(3))),
    ("grad_int_input", "TypeError", lambda m: _grad_of(m, lambda x: x * 1.0, 1)),
    ("grad_argnums_range", "TypeError", lambda m: _grad_of(m, lambda x: x, 1.0, argnums=2)),
    ("grad_complex_output", "TypeError", lambda m: _grad_of(m, lambda x: x * 1j, 1.0)),
    ("grad_str_input", "TypeError", lambda m: _grad_of(m, lambda x: x, "a")),
    ("grad_tuple_output", "TypeError", lambda m: _grad_of(m, lambda x: (x, x), 1.0)),
    ("grad_has_aux_not_pair", "TypeError", lambda m: _grad_of(m, lambda x: x, 1.0, has_aux=True)),
    ("grad_int_output", "TypeError", lambda m: _grad_of(m, lambda x: m.jnp.int32(1), 1.0)),
    ("grad_no_args", "TypeError", lambda m: m.jax.grad(lambda: 1.0)()),
    ("value_and_grad_vector", "TypeError", lambda m: m.jax.value_and_grad(lambda x: x)(m.jnp.ones(3))),
    ("grad_not_callable", "TypeError", lambda m: m.jax.grad(1)),
    ("jacfwd_int", "TypeError", lambda m: m.jax.jacfwd(lambda x: x)(1)),
    ("jacrev_int", "TypeError", lambda m: m.jax.jacrev(lambda x: x)(1)),
    ("hessian_int", "TypeError", lambda m: m.jax.hessian(lambda x: x)(1)),
    ("vmap_size_mismatch", "ValueError", lambda m: m.jax.vmap(lambda x, y: x + y)(m.jnp.ones(3), m.jnp.ones(4))),
    ("vmap_in_axes_range", "ValueError", lambda m: m.jax.vmap(lambda x: x, in_axes=1)(m.jnp.ones(3))),
    ("vmap_in_axes_length", "ValueError", lambda m: m.jax.vmap(lambda x: x, in_axes=(0, 0))(m.jnp.ones(3))),
    ("vmap_scalar", "ValueError", lambda m: m.jax.vmap(lambda x: x)(1.0)),
    ("vmap_out_axes_range", "ValueError", lambda m: m.jax.vmap(lambda x: x, out_axes=2)(m.jnp.ones(3))),
    ("vmap_in_axes_str", "TypeError", lambda m: m.jax.vmap(lambda x: x, in_axes="a")(m.jnp.ones(3))),
    ("vmap_in_axes_float", "TypeError", lambda m: m.jax.vmap(lambda x: x, in_axes=0.5)(m.jnp.ones(3))),
    ("vmap_no_args", "ValueError", lambda m: m.jax.vmap(lambda: 1.0)()),
    ("vmap_all_none", "ValueError", lambda m: m.jax.vmap(lambda x: x, in_axes=None)(m.jnp.ones(3))),
    ("vmap_not_callable", "TypeError", lambda m: m.jax.vmap(1)),
    ("vmap_str_arg", "TypeError", lambda m: m.jax.vmap(lambda x: x)("a")),
    ("vmap_axis_size_mismatch", "ValueError",
     lambda m: m.jax.vmap(lambda x: x, axis_size=4)(m.jnp.ones(3))),
    ("jit_not_callable", "TypeError", lambda m: m.jax.jit(1)),
    ("jit_str_arg", "TypeError", lambda m: m.jax.jit(lambda x: x)("a")),
    ("jit_object_arg", "TypeError", lambda m: m.jax.jit(lambda x: x)(object())),
    ("jit_unhashable_static", "ValueError",
     lambda m: m.jax.jit(lambda x: x, static_argnums=0)(m.np.ones(3))),
    ("jit_static_list", "ValueError", lambda m: m.jax.jit(lambda x: x, static_argnums=0)([1, 2])),
    ("jit_missing_arg", "TypeError", lambda m: m.jax.jit(lambda x, y: x)(1.0)),
    ("jit_extra_arg", "TypeError", lambda m: m.jax.jit(lambda x: x)(1.0, 2.0)),
    ("jit_returns_str", "TypeError", lambda m: m.jax.jit(lambda x: "a")(1.0)),
    ("jit_returns_object", "TypeError", lambda m: m.jax.jit(lambda x: object())(1.0)),
    ("jvp_not_tuples", "TypeError", lambda m: m.jax.jvp(lambda x: x, 1.0, 1.0)),
    ("jvp_tangent_dtype", "TypeError", lambda m: m.jax.jvp(lambda x: x, (1.0,), (1,))),
    ("jvp_tangent_shape", "ValueError",
     lambda m: m.jax.jvp(lambda x: x, (m.jnp.ones(3),), (m.jnp.ones(4),))),
    ("jvp_tree_mismatch", "TypeError", lambda m: m.jax.jvp(lambda x, y: x, (1.0, 2.0), (1.0,))),
    ("vjp_cotangent_shape", "ValueError", lambda m: m.jax.vjp(lambda x: x, m.jnp.ones(3))[1](m.jnp.ones(4))),
    ("vjp_cotangent_tree", "ValueError", lambda m: m.jax.vjp(lambda x: x, m.jnp.ones(3))[1]((m.jnp.ones(3),) * 2)),
    ("make_jaxpr_str", "TypeError", lambda m: m.jax.make_jaxpr(lambda x: x)("a")),
    ("eval_shape_str", "TypeError", lambda m: m.jax.eval_shape(lambda x: x, "a")),
    ("checkpoint_str", "TypeError", lambda m: m.jax.checkpoint(lambda x: x)("a")),
    ("stop_gradient_str", "TypeError", lambda m: m.lax.stop_gradient("a")),
    ("device_put_object", "TypeError", lambda m: m.jax.device_put(object())),
    ("block_until_ready_object", "AttributeError", lambda m: m.jnp.ones(3).block_until_ready().foo),
    # --- pytrees --------------------------------------------------------------------------------
    ("tree_map_lengths", "ValueError", lambda m: m.tree_util.tree_map(lambda a, b: a, (1, 2), (1,))),
    ("tree_map_keys", "ValueError", lambda m: m.tree_util.tree_map(lambda a, b: a, {"a": 1}, {"b": 1})),
    ("tree_map_types", "ValueError", lambda m: m.tree_util.tree_map(lambda a, b: a, (1, 2), [1, 2])),
    ("tree_unflatten_count", "ValueError",
     lambda m: m.tree_util.tree_unflatten(m.tree_util.tree_structure((1, 2)), [1, 2, 3])),
    ("tree_transpose_mismatch", "TypeError",
     lambda m: m.tree_util.tree_transpose(m.tree_util.tree_structure([0, 0]), m.tree_util.tree_structure((0, 0)),
                                          [(1, 2), (3, 4, 5)])),
    ("tree_map_not_callable", "TypeError", lambda m: m.tree_util.tree_map(1, [1, 2])),
    ("tree_leaves_unsorted_keys", "ValueError", lambda m: m.tree_util.tree_leaves({1: 1, "a": 2})),
    # --- nn -------------------------------------------------------------------------------------
    ("nn_relu_str", "TypeError", lambda m: m.nn.relu("a")),
    ("nn_softmax_list", "TypeError", lambda m: m.nn.softmax([1.0, 2.0])),
    ("nn_one_hot_traced_classes", "ConcretizationTypeError",
     lambda m: _jit_int(m, lambda n: m.nn.one_hot(m.jnp.array([0, 1]), n))),
    ("nn_one_hot_float_classes", "TypeError", lambda m: m.nn.one_hot(m.jnp.array([0, 1]), 2.5)),
    ("nn_gelu_approx_str", "ValueError", lambda m: m.nn.gelu(m.jnp.ones(3), approximate=m.jnp.ones(3))),
    ("nn_glorot_1d", "ValueError", lambda m: m.nn.initializers.glorot_normal()(_key(m), (3,))),
    ("nn_logsumexp_axis", "ValueError", lambda m: m.nn.logsumexp(m.jnp.ones(3), axis=2)),
    # --- linalg and friends -----------------------------------------------------------------
    ("inv_1d", "ValueError", lambda m: m.jnp.linalg.inv(m.jnp.ones(3))),
    ("inv_nonsquare", "ValueError", lambda m: m.jnp.linalg.inv(m.jnp.ones((2, 3)))),
    ("solve_shapes", "ValueError", lambda m: m.jnp.linalg.solve(m.jnp.ones((2, 2)), m.jnp.ones(3))),
    ("det_1d", "ValueError", lambda m: m.jnp.linalg.det(m.jnp.ones(3))),
    ("norm_fro_1d", "ValueError", lambda m: m.jnp.linalg.norm(m.jnp.ones(3), ord="fro")),
    ("norm_bad_ord", "ValueError", lambda m: m.jnp.linalg.norm(m.jnp.ones((2, 2)), ord=3)),
    ("fft_axis", "ValueError", lambda m: m.jnp.fft.fft(m.jnp.ones(3), axis=2)),
    ("fft_n_zero", "ValueError", lambda m: m.jnp.fft.fft(m.jnp.ones(3), n=0)),
    ("histogram_bins_traced", "ConcretizationTypeError",
     lambda m: _jit_int(m, lambda n: m.jnp.histogram(m.jnp.ones(3), bins=n))),
    ("bincount_jit_no_length", "ConcretizationTypeError",
     lambda m: _jit_int(m, lambda n: m.jnp.bincount(m.jnp.arange(3) * n))),
    ("searchsorted_2d", "ValueError", lambda m: m.jnp.searchsorted(m.jnp.ones((2, 2)), 1.0)),
    ("convolve_2d", "ValueError", lambda m: m.jnp.convolve(m.jnp.ones((2, 2)), m.jnp.ones(2))),
    ("interp_shapes", "ValueError", lambda m: m.jnp.interp(m.jnp.ones(2), m.jnp.ones(3), m.jnp.ones(4))),
    ("svd_1d", "TypeError", lambda m: m.jnp.linalg.svd(m.jnp.ones(3))),
    ("qr_1d", "TypeError", lambda m: m.jnp.linalg.qr(m.jnp.ones(3))),
    ("clip_a_min", "TypeError", lambda m: m.jnp.clip(m.jnp.ones(3), min=1, a_min=1)),
    ("ldexp_float_exponent", "ValueError", lambda m: m.jnp.ldexp(m.jnp.ones(3), 1.5)),
    ("jit_unknown_static_argname", "ValueError", lambda m: m.jax.jit(lambda x: x, static_argnames="z")),
    ("jit_donate_argnums_range", "ValueError", lambda m: m.jax.jit(lambda x: x, donate_argnums=2)),
    ("jit_positional_only_argname", "ValueError", lambda m: m.jax.jit(lambda x, /: x, static_argnames="x")),
    ("vmap_in_axes_dict", "TypeError", lambda m: m.jax.vmap(lambda x: x, in_axes={"a": 0})({"a": m.jnp.ones(3)})),
    ("associative_scan_axis", "ValueError",
     lambda m: m.lax.associative_scan(m.jnp.add, m.jnp.ones(3), axis=2)),
    ("associative_scan_axis_reverse", "TypeError",
     lambda m: m.lax.associative_scan(m.jnp.add, m.jnp.ones(3), axis=2, reverse=True)),
    ("lax_dot_mismatch", "ValueError", lambda m: m.lax.dot(m.jnp.ones((2, 3)), m.jnp.ones((2, 3)))),
    ("lax_expand_dims_axis", "ValueError", lambda m: m.lax.expand_dims(m.jnp.ones(3), (5,))),
    ("lax_integer_pow_float", "TypeError", lambda m: m.lax.integer_pow(m.jnp.ones(3), 1.5)),
    ("lax_rev_negative", "TypeError", lambda m: m.lax.rev(m.jnp.ones(3), (-1,))),
    ("lax_cond_operand_count", "TypeError", lambda m: m.lax.cond(True, lambda x: x, lambda x: x)),
    ("lax_switch_operand_count", "TypeError", lambda m: m.lax.switch(0, [lambda x: x], 1.0, 2.0)),
    ("lax_fori_body_arity", "TypeError", lambda m: m.lax.fori_loop(0, 3, lambda i: i, 0)),
    ("lax_scan_body_arity", "TypeError", lambda m: m.lax.scan(lambda c: c, 0.0, m.jnp.ones(3))),
    ("grad_argnums_float", "TypeError", lambda m: m.jax.grad(lambda x: x, argnums=1.5)(1.0)),
    ("grad_None_input", "TypeError", lambda m: m.jax.grad(lambda x: x)(None)),
    ("jvp_tangent_int_primal", "TypeError", lambda m: m.jax.jvp(lambda x: x, (1,), (1.0,))),
    ("jacfwd_argnums_range", "ValueError", lambda m: m.jax.jacfwd(lambda x: x, argnums=3)(1.0)),
    ("matrix_power_float", "TypeError", lambda m: m.jnp.linalg.matrix_power(m.jnp.ones((2, 2)), 1.5)),
    ("matrix_power_nonsquare", "TypeError", lambda m: m.jnp.linalg.matrix_power(m.jnp.ones((2, 3)), 2)),
    ("tensordot_float_axes", "TypeError",
     lambda m: m.jnp.tensordot(m.jnp.ones((2, 3)), m.jnp.ones((2, 3)), axes=1.5)),
    ("einsum_repeated_output", "ValueError", lambda m: m.jnp.einsum("i->j", m.jnp.ones(3))),
    ("searchsorted_side", "ValueError", lambda m: m.jnp.searchsorted(m.jnp.ones(3), 1.0, side="middle")),
    ("rot90_same_axes", "ValueError", lambda m: m.jnp.rot90(m.jnp.ones((2, 2)), axes=(0, 0))),
    ("bincount_float", "TypeError", lambda m: m.jnp.bincount(m.jnp.ones(3))),
    ("left_shift_float", "TypeError", lambda m: m.jnp.left_shift(m.jnp.ones(3), 1)),
    ("expand_dims_traced_axis", "ConcretizationTypeError",
     lambda m: m.jax.jit(lambda x: m.jnp.expand_dims(x, x[0]))(m.jnp.ones(3, "int32"))),
    ("squeeze_traced_axis", "ConcretizationTypeError",
     lambda m: m.jax.jit(lambda x: m.jnp.squeeze(x, axis=x[0]))(m.jnp.ones(3, "int32"))),
    ("astype_array_as_dtype", "ValueError", lambda m: m.jnp.ones(3).astype(m.jnp.ones(3))),
    ("array_ragged_arrays", "TypeError", lambda m: m.jnp.array([m.jnp.ones(3), m.jnp.ones(2)])),
    ("array_ragged_traced", "TypeError", lambda m: m.jax.jit(lambda x: m.jnp.array([x, [1, 2]]))(m.jnp.ones(3))),
    ("iterate_scalar_tracer", "TypeError", lambda m: m.jax.jit(lambda x: [i for i in x])(m.jnp.float32(1))),
    ("slice_traced_start", "IndexError", lambda m: _jit_int(m, lambda n: m.jnp.ones(3)[n:])),
    ("nonzero_traced_size", "ConcretizationTypeError",
     lambda m: m.jax.jit(lambda x: m.jnp.nonzero(x, size=x.sum()))(m.jnp.ones(3, "int32"))),
    ("fori_traced_bound_scan_length", "ConcretizationTypeError",
     lambda m: _jit_int(m, lambda n: m.lax.scan(lambda c, _: (c, c), 0.0, None, length=n))),
    ("vmap_ones_of_mapped", "TypeError", lambda m: m.jax.vmap(lambda x: m.jnp.ones(x))(m.jnp.ones(3, "int32"))),
    ("vmap_item", "ConcretizationTypeError", lambda m: m.jax.vmap(lambda x: x.item())(m.jnp.ones(3))),
    ("vmap_numpy_conversion", "TracerArrayConversionError", lambda m: m.jax.vmap(lambda x: m.np.asarray(x))(m.jnp.ones(3))),
]

# Where JAX's exception comes from its internals rather than from a check of the argument (an index into a
# tuple of axes, a helper's zip, the MLIR verifier, a transpose inside cholesky), jaxlite checks the argument
# and raises the type the check calls for, with a message that names the problem:
# (id, jaxlite's type, JAX 0.10.2's type, the call)
INTERNAL_IN_JAX = [
    ("swapaxes_axis", "ValueError", "IndexError", lambda m: m.jnp.swapaxes(m.jnp.ones(3), 0, 4)),
    ("argmax_axis_range", "ValueError", "IndexError", lambda m: m.jnp.argmax(m.jnp.ones(3), axis=3)),
    ("lax_reshape_size", "TypeError", "ValueError", lambda m: m.lax.reshape(m.jnp.ones(6), (4,))),
    ("lax_slice_rank", "TypeError", "ValueError", lambda m: m.lax.slice(m.jnp.ones(3), (0, 0), (1, 1))),
    ("scan_scalar_xs", "ValueError", "IndexError", lambda m: m.lax.scan(lambda c, x: (c, x), 0.0, m.jnp.float32(1.0))),
    ("random_normal_negative_shape", "TypeError", "MLIRError", lambda m: m.random.normal(_key(m), (-1,))),
    ("cholesky_1d", "ValueError", "TypeError", lambda m: m.jnp.linalg.cholesky(m.jnp.ones(3))),
    ("eigh_nonsquare", "ValueError", "TypeError", lambda m: m.jnp.linalg.eigh(m.jnp.ones((2, 3)))),
]

_IDS = [c[0] for c in CASES]
assert len(set(_IDS)) == len(_IDS), "duplicate case ids"


def _raised(fn, m):
    try:
        fn(m)
    except Exception as e:  # noqa: BLE001 - the type is what is being compared
        return e
    return None


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_exception_type(case):
    name, expected, fn = case
    ours = _raised(fn, _namespace(jaxlite))
    assert ours is not None, f"{name}: jaxlite raised nothing; JAX raises {expected}"
    assert type(ours).__name__ == expected, f"{name}: {type(ours).__name__}: {ours}"
    assert str(ours), f"{name}: empty message"


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_exception_type_matches_jax(jax, case):
    name, _, fn = case
    ref = _raised(fn, _namespace(jax))
    ours = _raised(fn, _namespace(jaxlite))
    assert ref is not None, f"{name}: JAX no longer raises"
    assert ours is not None, f"{name}: jaxlite raised nothing; JAX raises {type(ref).__name__}: {ref}"
    assert type(ours).__name__ == type(ref).__name__, (
        f"{name}: ours {type(ours).__name__}: {ours}\nJAX's {type(ref).__name__}: {ref}")
    for base in (TypeError, ValueError, IndexError, AttributeError, NameError, NotImplementedError, RuntimeError):
        assert isinstance(ours, base) == isinstance(ref, base), (name, base)


@pytest.mark.parametrize("case", INTERNAL_IN_JAX, ids=[c[0] for c in INTERNAL_IN_JAX])
def test_exception_type_where_jax_fails_internally(case):
    name, expected, _, fn = case
    ours = _raised(fn, _namespace(jaxlite))
    assert type(ours).__name__ == expected, f"{name}: {type(ours).__name__}: {ours}"


@pytest.mark.parametrize("case", INTERNAL_IN_JAX, ids=[c[0] for c in INTERNAL_IN_JAX])
def test_jax_still_fails_internally(jax, case):
    """If JAX starts checking one of these arguments itself, the case moves to CASES."""
    name, _, jax_type, fn = case
    ref = _raised(fn, _namespace(jax))
    assert type(ref).__name__ == jax_type, f"{name}: JAX now raises {type(ref).__name__}: {ref}"
