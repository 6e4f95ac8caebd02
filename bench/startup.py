"""How long whole `tracker` commands take to start and finish, against bare imports.

    .venv/bin/python -m bench.startup              # markdown table, medians of 7 rounds
    .venv/bin/python -m bench.startup --repeat 15  # more rounds on a busy machine
    .venv/bin/python -m bench.startup --baseline main~1  # before and after, in the same rounds

People run tracker as whole processes, so a command pays for everything it imports before it
does any work. Each command runs as its own process against a demo database built in a temporary
directory (`tracker db upgrade`, `tracker demo`), in rounds that interleave the commands and two
baselines timed in the same run: `python -c "import typer"` (what any typer command must pay)
and `python -c "import pandas, sqlmodel"` (what a report must pay). The table gives the median
CPU time (user + system: steadier than wall time on a shared machine), wall time and peak memory
of each, the CPU ratio to its baseline, and which heavy packages the command imported.
Targets: `tracker --help` at most 3x `import typer`; a report at most 1.3x
`import pandas, sqlmodel`.

With `--baseline REV`, each round also runs every `tracker` command on tracker/ as it was at REV
(exported with git archive, first on the commands' PYTHONPATH), so before and after are timed
against the same baselines under the same load. REV must need the same migrations as the working
tree: the demo database is built by the working tree's code.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.baseline import export
from tests.support.cli import HEAVY, imported_by

PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))
PROGRAMME = "Marshland Shared Services Partnership"
TYPER = "import typer"
PANDAS = "import pandas, sqlmodel"


@dataclass(frozen=True)
class Command:
    label: str
    argv: tuple[str, ...]
    baseline: str | None = None  # the baseline's label, None for a baseline itself
    target: float | None = None


COMMANDS = (
    Command(f'`python -c "{TYPER}"`', (PYTHON, "-c", TYPER)),
    Command(f'`python -c "{PANDAS}"`', (PYTHON, "-c", PANDAS)),
    Command("`tracker --help`", (TRACKER, "--help"), TYPER, 3.0),
    Command("`tracker db upgrade` (up to date)", (TRACKER, "db", "upgrade"), TYPER),
    Command("`tracker site list`", (TRACKER, "site", "list"), TYPER),
    Command(
        "`tracker report overview`",
        (TRACKER, "report", "overview", "--programme", PROGRAMME),
        PANDAS,
        1.3,
    ),
    Command(
        "`tracker report velocity`",
        (TRACKER, "report", "velocity", "--site", "northmoor", "--board", "1"),
        PANDAS,
        1.3,
    ),
    Command(
        "`tracker report programme`",
        (TRACKER, "report", "programme", "--programme", PROGRAMME),
        PANDAS,
        1.3,
    ),
)


@dataclass(frozen=True)
class Run:
    cpu: float
    wall: float
    peak_mb: float


def run_once(argv: tuple[str, ...], env: dict[str, str]) -> Run:
    """One process: its CPU time and peak memory from the kernel (wait4), its wall time."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {stderr}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def demo_database(workdir: Path) -> dict[str, str]:
    """The environment of every timed command: a migrated demo database of its own."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}"}
    for argv in ((TRACKER, "db", "upgrade"), (TRACKER, "demo")):
        subprocess.run(argv, env=env, check=True, capture_output=True)
    return env


def measure(repeat: int, baseline: str | None = None) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as workdir:
        env = demo_database(Path(workdir))
        # the `tracker` script's own directory comes first on its path, then PYTHONPATH: the
        # exported code, ahead of the editable install's finder
        envs = {"now": env}
        if baseline:
            export(baseline, Path(workdir) / "baseline")
            envs["before"] = {**env, "PYTHONPATH": str(Path(workdir) / "baseline")}
        runs: dict[tuple[str, str], list[Run]] = {}
        for _ in range(repeat):
            for command in COMMANDS:
                for code, command_env in envs.items():
                    if code != "now" and not command.baseline:
                        continue  # the bare imports do not depend on tracker
                    runs.setdefault((code, command.label), []).append(
                        run_once(command.argv, command_env)
                    )
        loaded = {c.label: imported_by(c.argv[1:], env) for c in COMMANDS[2:]}

    def median(label: str, what: str, code: str = "now") -> float:
        return statistics.median(getattr(r, what) for r in runs[(code, label)])

    by_code = {TYPER: COMMANDS[0].label, PANDAS: COMMANDS[1].label}

    def ratio(command: Command, code: str) -> str:
        if not command.baseline:
            return ""
        found = median(command.label, "cpu", code) / median(by_code[command.baseline], "cpu")
        return f"{found:.1f}x"

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if baseline:
        lines = [
            f"| command | CPU s before (`{baseline}`) | x baseline before | CPU s after "
            "| x baseline after (target) | peak MB before | peak MB after "
            "| heavy packages imported after |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for command in COMMANDS:
            before = peak = ""
            if command.baseline:
                before = f"{median(command.label, 'cpu', 'before'):.2f}"
                peak = f"{median(command.label, 'peak_mb', 'before'):.0f}"
            target = f" (<= {command.target:g}x)" if command.target else ""
            packages = ", ".join(sorted(loaded.get(command.label, ()))) or "-"
            lines.append(
                f"| {command.label} | {before} | {ratio(command, 'before')} "
                f"| {median(command.label, 'cpu'):.2f} | {ratio(command, 'now')}{target} "
                f"| {peak} | {median(command.label, 'peak_mb'):.0f} "
                f"| {packages if command.label in loaded else ''} |"
            )
    else:
        lines = [
            "| command | CPU s | x baseline (target) | wall s | peak MB "
            "| heavy packages imported |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for command in COMMANDS:
            cpu = median(command.label, "cpu")
            target = f" (<= {command.target:g}x)" if command.target else ""
            packages = ", ".join(sorted(loaded.get(command.label, ()))) or "-"
            lines.append(
                f"| {command.label} | {cpu:.2f} | {ratio(command, 'now')}"
                f"{target if command.baseline else ''} | {median(command.label, 'wall'):.2f} "
                f"| {median(command.label, 'peak_mb'):.0f} "
                f"| {packages if command.label in loaded else ''} |"
            )
    watched = ", ".join(HEAVY)
    lines.append("")
    lines.append(
        f"Medians of {repeat} rounds; heavy packages watched: {watched}; load average at the "
        f"end: {load}."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds (default 7)")
    parser.add_argument(
        "--baseline", metavar="REV", help="also time the tracker commands of this git revision"
    )
    args = parser.parse_args()
    print(measure(args.repeat, args.baseline))


if __name__ == "__main__":
    main()
