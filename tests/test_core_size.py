"""The counted core (core.py + interpreters/) stays within its line budget (STYLE.md habit 4)."""
import importlib.util
import pathlib


def test_core_within_budget():
    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / "core_size.py"
    spec = importlib.util.spec_from_file_location("core_size", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    total = sum(mod.count(f) for f in mod.core_files())
    assert total <= mod.BUDGET, f"core is {total} non-blank lines, budget {mod.BUDGET}"
