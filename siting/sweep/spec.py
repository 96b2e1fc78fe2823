"""The scenario language: overrides, scenarios, and scenarios.toml (named scenarios, grids, seeded samples).

The format is in docs/sweeps.md. Paths of overrides are checked by :mod:`siting.sweep.apply`.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InstanceError
from ..instance import Instance
from ..schema import SCENARIO_KEYS, TABLES
from .paths import _check_path, _resolve

#: operations an override can apply to a value
OPS = ("set", "scale", "add")

#: random distributions of [sample.*] blocks and their parameters (required, optional)
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "lognormal": (("median", "sigma"), ()),
    "choice": (("values",), ("weights",)),
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# ------------------------------------------------------------------------------------------
# overrides and scenarios
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    """One change of input values.

    Parameters
    ----------
    path : what to change. ``table.column`` (every row), ``table[id1,id2].column`` (rows by
        id: site, zone, tech, generation or year), ``table[col=value,...].column`` (rows by
        filter; operators ``= != < <= > >=``, conditions joined by commas all hold), or a
        scenario.toml setting: ``discount_rate``, ``policy.carbon_price_usd_per_t``,
        ``policy.co2_cap_t.2030`` (one year of a per-year setting), ``time.typical_days`` ...
    op : ``"set"`` (the value replaces it; ``""`` blanks a cell), ``"scale"`` (multiplied by
        the value) or ``"add"`` (the value is added). Blank cells stay blank under scale and add.
    value : the value.
    """

    path: str
    op: str
    value: object

    def __post_init__(self):
        problems = _check_path(self.path)
        if self.op not in OPS:
            problems.append(f"operation must be one of {', '.join(OPS)}, not {self.op!r}")
        elif self.op != "set" and (isinstance(self.value, bool) or not isinstance(self.value, int | float)):
            problems.append(f"{self.op} needs a number, got {self.value!r}")
        if problems:
            raise InstanceError([f"{self.path}: {p}" for p in problems])

    @property
    def column(self) -> str:
        """Column name of this override in the sweep tables: the path, with the operation unless "set"."""
        return self.path if self.op == "set" else f"{self.path} ({self.op})"

    def as_dict(self) -> dict:
        return {"path": self.path, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Scenario:
    """A named variant of an instance.

    ``overrides`` is a sequence of :class:`Override`, or a mapping in the form of a
    scenarios.toml table: ``{"policy.carbon_price_usd_per_t": 100, "chips.price_usd": {"scale": 1.2}}``.
    ``kind`` is "scenario", "grid" or "sample", and ``group`` the name of the grid or sample
    it came from.
    """

    name: str
    overrides: tuple = ()
    description: str = ""
    kind: str = "scenario"
    group: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise InstanceError(f"scenario name {self.name!r}: use letters, digits, '_', '-' and '.', starting "
                                "with a letter or digit (it names a folder)")
        ovs = self.overrides
        if isinstance(ovs, dict):
            problems: list[str] = []
            ovs = [o for k, v in ovs.items() if (o := _parse_override(k, v, problems, f"scenario {self.name}"))]
            if problems:
                raise InstanceError(problems)
        ovs = tuple(ovs)
        if not all(isinstance(o, Override) for o in ovs):
            raise TypeError("Scenario.overrides: give Override objects or a mapping of path -> value")
        object.__setattr__(self, "overrides", ovs)

    def values(self) -> dict:
        """The overrides as ``{column name: value}`` (the columns a sweep adds)."""
        return {o.column: o.value for o in self.overrides}



def _parse_override(path, spec, problems: list[str], where: str, *, in_sample: bool = False) -> Override | None:
    """An Override from a TOML key and value (``v``, ``{set = v}``, ``{scale = f}`` or ``{add = d}``)."""
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in OPS:
            problems.append(f"{where}: '{path}': give a value, or one of {{set = V}}, {{scale = F}}, {{add = D}}"
                            + (", or a distribution {dist = ...}" if in_sample else ""))
            return None
        op, value = next(iter(spec.items()))
    else:
        op, value = "set", spec
    if isinstance(value, list) and path != "years":
        problems.append(f"{where}: '{path}': a list is not a value here; vary a value over several scenarios "
                        "with a [grid.NAME] block")
        return None
    try:
        return Override(path, op, value)
    except InstanceError as e:
        problems.extend(f"{where}: {p}" for p in e.problems)
        return None


# ------------------------------------------------------------------------------------------
# scenarios.toml
# ------------------------------------------------------------------------------------------
def load_scenarios(source=None, inst: Instance | None = None) -> list[Scenario]:
    """The scenarios of ``source``: a scenarios.toml path, a dict in its layout, or Scenarios.

    With ``source=None`` the file ``scenarios.toml`` of the instance's folder is read.
    Raises InstanceError (one line per problem) for a malformed definition.
    """
    if source is None:
        folder = getattr(inst, "path", None)
        if folder is None or not (Path(folder) / "scenarios.toml").is_file():
            raise InstanceError("no scenarios given and no scenarios.toml in the instance folder")
        source = Path(folder) / "scenarios.toml"
    if isinstance(source, Scenario):
        source = [source]
    if isinstance(source, str | os.PathLike):
        p = Path(source)
        if p.is_dir():
            p = p / "scenarios.toml"
        if not p.is_file():
            raise InstanceError(f"{p}: no such scenarios file")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InstanceError(f"{p.name}: not UTF-8 text; save the file as UTF-8") from None
        except tomllib.TOMLDecodeError as e:
            raise InstanceError(f"{p.name}: not valid TOML: {e}") from None
        return parse_scenarios(data, fname=p.name)
    if isinstance(source, dict):
        return parse_scenarios(source)
    scs = list(source)
    if not all(isinstance(s, Scenario) for s in scs):
        raise TypeError("scenarios: give a scenarios.toml path, a dict in its layout, or a list of Scenario")
    _check_unique(scs, "scenarios")
    return scs


def _check_unique(scs: list[Scenario], fname: str) -> None:
    seen: dict[str, int] = {}
    for s in scs:
        seen[s.name] = seen.get(s.name, 0) + 1
    dups = [n for n, k in seen.items() if k > 1]
    if dups:
        raise InstanceError([f"{fname}: scenario name '{n}' is used more than once" for n in dups])
    if not scs:
        raise InstanceError(f"{fname}: no scenarios defined")


def parse_scenarios(data: dict, fname: str = "scenarios.toml") -> list[Scenario]:
    """Expand a parsed scenarios.toml (named scenarios, grids, samples) into Scenarios, in file order."""
    problems: list[str] = []
    out: list[Scenario] = []
    for top, blocks in data.items():
        if top == "description" and isinstance(blocks, str):
            continue
        if top not in ("scenario", "grid", "sample") or not isinstance(blocks, dict):
            problems.append(f"{fname}: unknown entry '{top}' (use [scenario.NAME], [grid.NAME] or [sample.NAME])")
            continue
        for name, block in blocks.items():
            where = f"{fname}: [{top}.{name}]"
            if not isinstance(block, dict):
                problems.append(f"{where}: must be a table")
                continue
            if not _NAME.match(name):
                problems.append(f"{where}: name must use letters, digits, '_', '-' and '.' (it names a folder)")
                continue
            n0 = len(problems)
            desc = block.get("description", "")
            if not isinstance(desc, str):
                problems.append(f"{where}: 'description' must be a string")
                desc = ""
            body = {k: v for k, v in block.items() if k != "description"}
            if top == "scenario":
                ovs = [o for k, v in body.items() if (o := _parse_override(k, v, problems, where))]
                if len(problems) == n0:
                    out.append(Scenario(name, tuple(ovs), desc, "scenario", ""))
            elif top == "grid":
                out.extend(_expand_grid(name, body, desc, where, problems))
            else:
                out.extend(_expand_sample(name, body, desc, where, problems))
    if problems:
        raise InstanceError(problems)
    _check_unique(out, fname)
    return out


def _numbered(group: str, n: int) -> list[str]:
    width = max(3, len(str(n - 1)))
    return [f"{group}_{i:0{width}d}" for i in range(n)]


def _expand_grid(name, body, desc, where, problems) -> list[Scenario]:
    axes: list[list[Override]] = []
    fixed: list[Override] = []
    n0 = len(problems)
    for path, spec in body.items():
        if isinstance(spec, list) and path != "years":
            if not spec:
                problems.append(f"{where}: '{path}': empty list of values")
                continue
            axis = [o for v in spec if (o := _parse_override(path, v, problems, where))]
            axes.append(axis)
        elif isinstance(spec, dict) and "values" in spec and len(spec) == 1 and isinstance(spec["values"], list):
            axes.append([o for v in spec["values"] if (o := _parse_override(path, v, problems, where))])
        elif (o := _parse_override(path, spec, problems, where)) is not None:
            fixed.append(o)
    if len(problems) > n0:
        return []
    if not axes:
        problems.append(f"{where}: a grid needs at least one list of values")
        return []
    combos = list(itertools.product(*axes))
    return [Scenario(nm, tuple(fixed) + tuple(c), desc, "grid", name) for nm, c in zip(_numbered(name, len(combos)),
                                                                                       combos, strict=True)]


def _expand_sample(name, body, desc, where, problems) -> list[Scenario]:
    n, seed = body.pop("n", None), body.pop("seed", None)
    n0 = len(problems)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        problems.append(f"{where}: 'n' (number of samples) must be a whole number >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"{where}: 'seed' must be a whole number >= 0 (samples must be reproducible), got {seed!r}")
    draws: list[tuple[str, str, dict]] = []
    fixed: list[Override] = []
    for path, spec in body.items():
        if isinstance(spec, dict) and "dist" in spec:
            d = _check_dist(path, spec, where, problems)
            if d is not None:
                draws.append(d)
        elif (o := _parse_override(path, spec, problems, where, in_sample=True)) is not None:
            fixed.append(o)
    if len(problems) > n0:
        return []
    if not draws:
        problems.append(f"{where}: a sample needs at least one value with a distribution, e.g. "
                        "{dist = \"uniform\", low = 1, high = 2}")
        return []
    rng = np.random.default_rng(seed)
    columns = []
    for path, op, d in draws:
        vals = _draw(rng, d, n)
        if op == "set" and _is_integer_target(path):
            vals = [v if isinstance(v, str) else int(round(v)) for v in vals]
        columns.append([Override(path, op, v) for v in vals])
    names = _numbered(name, n)
    return [Scenario(names[i], tuple(fixed) + tuple(col[i] for col in columns), desc, "sample", name)
            for i in range(n)]


def _check_dist(path, spec, where, problems) -> tuple[str, str, dict] | None:
    spec = dict(spec)
    dist = spec.pop("dist")
    op = spec.pop("op", "set")
    lo, hi = spec.pop("min", None), spec.pop("max", None)
    w = f"{where}: '{path}'"
    if dist not in DISTRIBUTIONS:
        problems.append(f"{w}: unknown dist {dist!r} (one of {', '.join(DISTRIBUTIONS)})")
        return None
    if op not in OPS:
        problems.append(f"{w}: op must be one of {', '.join(OPS)}, not {op!r}")
        return None
    req, opt = DISTRIBUTIONS[dist]
    missing = [k for k in req if k not in spec]
    extra = [k for k in spec if k not in req + opt]
    if missing or extra:
        problems.append(f"{w}: {dist} takes {', '.join(req + opt)} (and optional op, min, max)"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; unknown {', '.join(extra)}" if extra else ""))
        return None

    def num(v):
        return isinstance(v, int | float) and not isinstance(v, bool)

    if dist == "choice":
        vals = spec["values"]
        if not isinstance(vals, list) or not vals:
            problems.append(f"{w}: 'values' must be a non-empty list")
            return None
        if op != "set" and not all(num(v) for v in vals):
            problems.append(f"{w}: {op} needs numbers in 'values'")
            return None
        wts = spec.get("weights")
        if wts is not None and (not isinstance(wts, list) or len(wts) != len(vals) or not all(num(x) and x >= 0
                                                                                              for x in wts)
                                or sum(wts) <= 0):
            problems.append(f"{w}: 'weights' must be as many non-negative numbers as 'values', not all zero")
            return None
    else:
        bad = [k for k in req if not num(spec[k])]
        if bad:
            problems.append(f"{w}: {', '.join(bad)} must be numbers")
            return None
        if dist in ("uniform", "triangular") and not spec["low"] <= spec.get("mode", spec["low"]) <= spec["high"]:
            problems.append(f"{w}: need low <= {'mode <= ' if dist == 'triangular' else ''}high")
            return None
        if dist == "triangular" and spec["low"] == spec["high"]:
            problems.append(f"{w}: need low < high")
            return None
        if dist == "normal" and spec["sd"] < 0 or dist == "lognormal" and (spec["sigma"] < 0 or spec["median"] <= 0):
            problems.append(f"{w}: need sd >= 0 (normal), or median > 0 and sigma >= 0 (lognormal)")
            return None
    for k, v in (("min", lo), ("max", hi)):
        if v is not None and not num(v):
            problems.append(f"{w}: '{k}' must be a number")
            return None
    try:
        Override(path, op, 1.0)
    except InstanceError as e:
        problems.extend(f"{where}: {p}" for p in e.problems)
        return None
    spec.update(dist=dist, min=lo, max=hi)
    return path, op, spec


def _draw(rng: np.random.Generator, d: dict, n: int) -> list:
    dist = d["dist"]
    if dist == "choice":
        p = None
        if d.get("weights") is not None:
            p = np.asarray(d["weights"], dtype=float)
            p = p / p.sum()
        return [d["values"][i] for i in rng.choice(len(d["values"]), size=n, p=p)]
    if dist == "uniform":
        x = rng.uniform(d["low"], d["high"], size=n)
    elif dist == "normal":
        x = rng.normal(d["mean"], d["sd"], size=n)
    elif dist == "triangular":
        x = rng.triangular(d["low"], d["mode"], d["high"], size=n)
    else:
        x = rng.lognormal(math.log(d["median"]), d["sigma"], size=n)
    if d.get("min") is not None or d.get("max") is not None:
        x = np.clip(x, d.get("min"), d.get("max"))
    return [float(v) for v in x]


def _is_integer_target(path: str) -> bool:
    target = _resolve(path)
    if target[0] == "table":
        return TABLES[target[1]].column(target[3]).dtype == "int"
    parts = target[1]
    key = ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    return SCENARIO_KEYS.get(key, ("",))[0] == "int"

