"""Once, for the rewrite of the template generator as data: the transformed template is the same
as the old `str.format` generator's (commit 38f42d0) for every seed schema and the second model."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from appsync_data.generate.template import render_template
from appsync_data.schema_file import load_schema
from deploy_helpers import ROOT, SECOND_MODEL_RESOURCE, VARIANTS, sam_transform, seed_schema

OLD = "38f42d0:layers/runtime/appsync_data/generate/template.py"


@pytest.mark.skipif(shutil.which("git") is None, reason="no git")
def test_transformed_template_equals_the_old_generators(tmp_path: Path) -> None:
    old_source = subprocess.run(
        ["git", "show", OLD], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (tmp_path / "old_template.py").write_text(old_source)
    spec = importlib.util.spec_from_file_location("old_template", tmp_path / "old_template.py")
    assert spec and spec.loader
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    (tmp_path / "resource.py").write_text(SECOND_MODEL_RESOURCE)
    schemas = [seed_schema(v) for v in VARIANTS] + [load_schema(tmp_path / "resource.py")]
    for schema in schemas:
        new_text = render_template(schema)
        assert new_text != old.render_template(schema)  # really another writer
        assert sam_transform(new_text) == sam_transform(old.render_template(schema))
