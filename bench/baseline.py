"""The code a benchmark compares against: tracker/ as it was at a git revision."""

import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export(revision: str, target: Path) -> None:
    """tracker/ as it was at `revision` (git archive), for the baseline's processes to import
    (first on their PYTHONPATH)."""
    archive = subprocess.run(
        ["git", "archive", revision, "tracker"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
