"""What ``import nst_tf`` (and ``nst_tf.fast``) offers stays the same: every name, with the
same call signature, as recorded in tests/public_api.json before the package was split
into layer folders (issue 29). A change to the public API is a change to that file."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest

RECORDED = json.loads((Path(__file__).parent / "public_api.json").read_text(encoding="utf-8"))


def signature(value) -> str:
    try:
        return str(inspect.signature(value))
    except (TypeError, ValueError):
        return type(value).__name__


@pytest.mark.parametrize("module", sorted(RECORDED))
def test_the_public_names_and_signatures_are_as_recorded(module):
    package = importlib.import_module(module)
    assert sorted(package.__all__) == sorted(RECORDED[module])
    changed = {
        name: (signature(getattr(package, name)), recorded)
        for name, recorded in RECORDED[module].items()
        if signature(getattr(package, name)) != recorded
    }
    assert not changed, f"{module}: signatures changed (now, recorded): {changed}"
