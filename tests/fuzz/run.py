"""Fuzz siting: generated instances and corrupted instance folders, counted.

    python tests/fuzz/run.py                      # 500 instances and 500 corruptions, seed 0
    python tests/fuzz/run.py --instances 50 --corruptions 50 --seed 3 --jobs 2

Generated instances (tests/fuzz/generators.py ``random_spec``) must solve, or be reported
infeasible with a reason (InfeasibleError lines); a solved plan must keep the invariants
(costs sum to the objective, balance closes, IT within modules, targets met); a finding of the
reachability checks must be sound (the model without the checks is infeasible too); and the
same instance with soft targets must always solve.

Corruptions (``CORRUPTIONS``: types, signs, missing values, unknown references, shuffled or
duplicated rows, wrong encodings, extra columns, broken TOML, links out of the folder, ...) of
valid folders must be refused with one-line errors that name a file, or accepted when
harmless; an accepted folder is solved too.

Any other exception is a crash; its traceback goes to ``fuzz_crashes.log`` in the working
folder, never to the screen. The exit code is 1 if anything crashed or answered wrongly.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from fuzz.generators import build, check_invariants, check_refusal, corrupt, random_spec, write_folder  # noqa: E402

import siting  # noqa: E402
from siting.checks import findings  # noqa: E402

OPTS = {"mip_gap": 1e-9, "threads": 1}


def _solve(inst):
    return importlib.import_module("siting.solving").solve(inst, **OPTS)


def one_instance(seed: int) -> tuple[Counter, list[str]]:
    """Generate, solve hard and soft, check; returns counts and crash reports."""
    c: Counter = Counter()
    crashes: list[str] = []
    try:
        spec = random_spec(random.Random(seed))
        inst = build(spec)
        found = findings(inst)
        try:
            res = _solve(inst)
        except siting.InfeasibleError as e:
            if not e.problems or any("\n" in p or not p.strip() for p in e.problems):
                c["wrong: infeasible without a one-line reason"] += 1
            c["infeasible before solving" if found else "infeasible after solving"] += 1
            if found:  # soundness of the checks: the model without them is infeasible too
                solve_model = importlib.import_module("siting.solving").solve_model
                try:
                    solve_model(siting.build_model(inst), dict(OPTS))
                    c["wrong: a reachability finding on a feasible instance"] += 1
                    crashes.append(f"instance seed {seed}: unsound finding {found[0].text}")
                except siting.InfeasibleError:
                    pass
        except siting.SolveError as e:
            c["wrong: solve error"] += 1
            crashes.append(f"instance seed {seed}: SolveError {e}")
        else:
            bad = check_invariants(inst, res)
            c["solved" if not bad else "wrong: broken invariants"] += 1
            if bad:
                crashes.append(f"instance seed {seed}: {bad}")
        soft = build(spec, targets={"mode": "soft"})
        sres = _solve(soft)
        bad = check_invariants(soft, sres)
        c["soft solved" if not bad else "wrong: broken invariants (soft)"] += 1
        if bad:
            crashes.append(f"instance seed {seed} (soft): {bad}")
    except Exception:  # noqa: BLE001 - a crash is what this script counts
        c["crashes"] += 1
        crashes.append(f"instance seed {seed}:\n{traceback.format_exc()}")
    return c, crashes


def one_corruption(args: tuple[int, str, str]) -> tuple[Counter, list[str]]:
    """Copy a base folder, corrupt it, load (and solve if accepted); returns counts and crash reports."""
    seed, base, workdir = args
    c: Counter = Counter()
    crashes: list[str] = []
    r = random.Random(seed)
    d = Path(tempfile.mkdtemp(dir=workdir)) / "inst"
    what = "?"
    try:
        shutil.copytree(base, d)
        cor = corrupt(d, r)
        what = f"{cor.name}: {cor.detail}"
        c[f"op {cor.name}"] += 1
        try:
            inst = siting.load_instance(d)
        except siting.InstanceError as e:
            bad = check_refusal(e)
            if bad:
                c["wrong: refusal not in one-line errors"] += 1
                crashes.append(f"corruption seed {seed} ({what}): {bad}")
            elif cor.expect == "accept":
                c["wrong: harmless edit refused"] += 1
                crashes.append(f"corruption seed {seed} ({what}): refused {e.problems}")
            else:
                c["refused"] += 1
            return c, crashes
        if cor.expect == "refuse":
            c["wrong: bad input accepted"] += 1
            crashes.append(f"corruption seed {seed} ({what}): accepted")
            return c, crashes
        c["accepted"] += 1
        try:
            res = _solve(inst)
        except siting.InfeasibleError:
            c["accepted: infeasible with a reason"] += 1
        except siting.SolveError as e:
            c["wrong: solve error (accepted folder)"] += 1
            crashes.append(f"corruption seed {seed} ({what}): SolveError {e}")
        else:
            bad = check_invariants(inst, res)
            c["accepted: solved" if not bad else "wrong: broken invariants"] += 1
            if bad:
                crashes.append(f"corruption seed {seed} ({what}): {bad}")
    except Exception:  # noqa: BLE001 - a crash is what this script counts
        c["crashes"] += 1
        crashes.append(f"corruption seed {seed} ({what}):\n{traceback.format_exc()}")
    finally:
        shutil.rmtree(d.parent, ignore_errors=True)
    return c, crashes


def _bases(workdir: Path, seed: int, n: int = 4) -> list[str]:
    """A few valid folders to corrupt: random specs that solve, each with a solar profile (so that
    profiles.csv has rows), so that an accepted corruption is solved too rather than stopped early."""
    from builders import daily_profile, generator
    from fuzz.generators import SOLAR_DAY

    out = []
    r = random.Random(seed)
    for _ in range(200):
        spec = random_spec(r)
        if not any(t["tech"] == "solar" for t in spec["techs"]):
            spec["techs"] = spec["techs"] + [generator("solar", 900.0, 20.0, profile="solar", max_mw_per_site=300.0)]
            spec["profiles"] = [daily_profile(SOLAR_DAY, "solar", zone=z["zone"]) for z in spec["zones"]]
        inst = build(spec)
        if findings(inst):
            continue
        try:
            _solve(inst)
        except Exception:  # noqa: BLE001 - not a base then; the instance fuzz counts crashes
            continue
        out.append(str(write_folder(inst, workdir / f"base{len(out)}")))
        if len(out) == n:
            break
    return out


def _init_worker() -> None:
    logging.getLogger("siting").setLevel(logging.CRITICAL)  # soft-mode warnings are expected here
    logging.getLogger("pyomo").setLevel(logging.CRITICAL)  # a crash is logged to the file, not the screen


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=int, default=500)
    ap.add_argument("--corruptions", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--log", default="fuzz_crashes.log", help="where crash tracebacks go")
    a = ap.parse_args(argv)
    _init_worker()
    t0 = time.perf_counter()
    totals: dict[str, Counter] = {"instances": Counter(), "corruptions": Counter()}
    reports: list[str] = []
    with tempfile.TemporaryDirectory(prefix="siting-fuzz-") as tmp:
        work = Path(tmp)
        bases = _bases(work, a.seed)
        inst_seeds = [a.seed * 1_000_003 + i for i in range(a.instances)]
        cor_args = [(a.seed * 1_000_003 + 500_000 + j, bases[j % len(bases)], tmp) for j in range(a.corruptions)]
        with ProcessPoolExecutor(max_workers=max(1, a.jobs), initializer=_init_worker) as pool:
            for c, cr in pool.map(one_instance, inst_seeds, chunksize=4):
                totals["instances"].update(c)
                reports += cr
            for c, cr in pool.map(one_corruption, cor_args, chunksize=8):
                totals["corruptions"].update(c)
                reports += cr
    ti, tc = totals["instances"], totals["corruptions"]
    crashes = ti["crashes"] + tc["crashes"]
    wrong = sum(v for k, v in (ti + tc).items() if k.startswith("wrong"))
    tracebacks = sum(1 for rep in reports if "Traceback" in rep)
    print(f"instances: {a.instances} generated: {ti['solved']} solved with the invariants holding, "
          f"{ti['infeasible before solving']} infeasible before solving (reachability), "
          f"{ti['infeasible after solving']} infeasible after solving (families named), "
          f"{ti['wrong: solve error']} solve errors; soft targets: {ti['soft solved']} solved; "
          f"crashes: {ti['crashes']}")
    print(f"corruptions: {a.corruptions} applied: {tc['refused']} refused with one-line errors, {tc['accepted']} "
          f"accepted ({tc['accepted: solved']} solved, {tc['accepted: infeasible with a reason']} infeasible with a "
          f"reason, {tc['wrong: solve error (accepted folder)']} solve errors); crashes: {tc['crashes']}")
    ops = ", ".join(f"{k[3:]} {v}" for k, v in sorted(tc.items()) if k.startswith("op "))
    print(f"corruptions by kind: {ops}")
    for k, v in sorted((ti + tc).items()):
        if k.startswith("wrong"):
            print(f"{k}: {v}")
    print(f"crashes: {crashes}, wrong answers: {wrong}, tracebacks: {tracebacks} ({time.perf_counter() - t0:.0f} s)")
    if reports:
        Path(a.log).write_text("\n\n".join(reports) + "\n", encoding="utf-8")
        print(f"details in {a.log}")
    return 1 if crashes or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
