"""The lean install: `make demo` installs the analysis's dependency tree and nothing else.

requirements-analysis.txt (what `make demo` installs, without resolving) must be exactly the
dependencies of pyproject.toml, transitively, minus the packages mediapipe declares but its
Pose solution never imports, at the versions of constraints.txt; and analysing a video must
work with the renderer's packages and jax unimportable.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import subprocess
import sys
import tomllib

from packaging.requirements import Requirement

from conftest import REPO

# mediapipe 0.10.21 declares jax (model maker, generative tools); nothing squatlab runs imports it.
LEFT_OUT = {"jax", "jaxlib", "ml-dtypes", "opt-einsum"}
# The renderer's packages (the synth extra) and jax: analysing must not need any of them.
NEVER_IMPORTED = ("torch", "anny", "warp", "pyrender", "trimesh", "OpenGL", "pyglet", "jax", "jaxlib")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {canonical(name): version for name, _, version in (line.partition("==") for line in lines if line)}


def dependency_tree(roots: list[str]) -> dict[str, str]:
    """Installed name -> version of every package the roots need, transitively (no extras)."""
    found: dict[str, str] = {}
    todo = [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = canonical(req.name)
        if name in found or name in LEFT_OUT or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        dist = md.distribution(name)
        found[name] = dist.version
        todo += [Requirement(r) for r in dist.requires or []]
    return found


def test_analysis_requirements_are_the_dependency_tree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    tree = dependency_tree(project["dependencies"])
    lock = pinned(REPO / "requirements-analysis.txt")
    constraints = pinned(REPO / "constraints.txt")
    assert set(lock) == set(tree), f"missing: {sorted(set(tree) - set(lock))}, extra: {sorted(set(lock) - set(tree))}"
    assert {name: constraints[name] for name in lock} == lock
    assert not set(lock) & {canonical(n) for n in ("torch", "anny", "warp-lang", "pyrender", "trimesh", "PyOpenGL")}


BLOCKER = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {NEVER_IMPORTED!r}:
            raise ImportError(f"{{name}} must not be imported by the analysis")
sys.meta_path.insert(0, Block())
from squatlab.cli.main import app
from squatlab.demo import demo_clip
app(["analyze", str(demo_clip()), "--out", sys.argv[1], "--no-video", "--quiet"])
"""


def test_analysis_runs_without_the_renderer_or_jax(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", BLOCKER, str(tmp_path / "out")], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "report.html").is_file()
