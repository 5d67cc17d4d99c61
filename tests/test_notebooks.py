"""Every lesson notebook runs top to bottom (small parameters) and writes its figures."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: notebook: (extra parameters, figures it must write)
LESSONS = {
    "01_style_and_content.ipynb": ({}, ["content_reconstruction.png"]),
    "02_feature_extraction.ipynb": ({}, ["first_channels.png", "block1_conv1_grid.png"]),
    "03_gram_matrix.ipynb": (
        {"STYLE_BLOCKS": 3},
        ["gram_heatmap.png", "texture_synthesis.png", "texture.gif"],
    ),
    "04_total_variation.ipynb": ({}, ["neighbour_differences.png", "tv_weights.png"]),
    "05_putting_it_together.ipynb": (
        {},
        ["intermediate.png", "loss_history.png", "lbfgs_vs_adam.png", "init_comparison.png"],
    ),
    "06_weight_ratio.ipynb": ({}, ["ratio_sweep.png"]),
    "07_beyond_the_slides.ipynb": (
        {"LARGE_SIZE": 96},
        ["color_preservation.png", "style_blend.png", "coarse_to_fine.png", "cli_result.png"],
    ),
}
SMALL = {"IMAGE_SIZE": 64, "STEPS": 3, "WEIGHTS": "random", "SEED": 0}


def _cells(name):
    return json.loads((NOTEBOOKS / name).read_text())["cells"]


def _stderr_outputs(executed: Path) -> str:
    """Everything the executed notebook's cells wrote to stderr."""
    cells = json.loads(executed.read_text())["cells"]
    return "".join(
        "".join(output.get("text", ""))
        for cell in cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
    )


def test_every_notebook_is_covered():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(LESSONS)


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_notebook_structure(name):
    cells = _cells(name)
    first = "".join(cells[0]["source"])
    assert first.startswith("# ") and re.search(r"[\uac00-\ud7a3]", first), "Korean title"
    assert "colab.research.google.com" in first
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for parameter in ("IMAGE_SIZE", "STEPS", "WEIGHTS", "OUTPUT_DIR"):
        assert parameter in "".join(tagged[0]["source"])
    assert "## Exercises" in "".join(cells[-1]["source"])
    lesson_cells = [c for c in cells[2:] if c["cell_type"] == "code"]  # after title and set-up
    longest = max(len("".join(c["source"]).splitlines()) for c in lesson_cells)
    assert longest <= 12, "keep code cells short"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_notebook_runs_and_writes_its_figures(name, tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    extra, figures = LESSONS[name]
    figures_dir = tmp_path / "figures"
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(tmp_path / name),
        parameters={**SMALL, **extra, "OUTPUT_DIR": str(figures_dir)},
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    stderr = _stderr_outputs(tmp_path / name)
    noise = [m for m in ("I0000", "E0000", "W0000", "absl::", "cuInit") if m in stderr]
    assert not noise, f"{name} shows TensorFlow start-up noise:\n{stderr}"
    for figure in figures:
        path = figures_dir / figure
        assert path.is_file(), f"{name} did not write {figure}"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
        assert pixels.std() > 1.0, f"{figure} is blank"
