"""Why is a model infeasible? Relax its limits with penalised slacks and report the ones used.

:func:`explain_infeasible` is called by :mod:`siting.solving` when HiGHS proves a model
infeasible although every year passes the reachability checks of :mod:`siting.checks`. It
compiles the model again, adds a slack column to every row of the constraint families that the
model's ledger marks for diagnosis (:func:`families`: those registered with a tier; both sides
of an equality, the loosening side of an inequality), drops the cost, and minimises the weighted
slack: first on the LP relaxation, then, if the relaxation needs no slack (the integrality of
sites, modules and units is what fails), on the MIP within a time limit. The families whose
slacks are used are the limits that bind together; the paragraph names them, in each family's
words (``Family.what``, ``Family.place``), with their years, sites or zones and amounts.

Slacks are weighted in MW-year equivalents (a MW short in every slice of a year weighs 1; each
family's ``weight`` converts one unit of its slack), times its tier: the limits a planner may
negotiate (headroom, grid connection, on-site limits, site capacity, chip supply, CO2 cap,
clean share, permits, budget) weigh 1, the power balance 10 and the targets 100, so that the
targets are relaxed only when no limit can absorb the gap.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from .units import HOURS

__all__ = ["explain_infeasible", "relax", "families"]

log = logging.getLogger("siting")

#: at most this many places are named per family
MAX_PLACES = 3


def families(m) -> dict:
    """The constraint families the model's ledger marks for diagnosis (those with a tier), in the order
    they are described: by tier (limits a planner negotiates, then the power balance, then the
    targets), then in the order the blocks registered them."""
    fams = [f for f in m.ledger.families.values() if f.tier is not None]
    return {f.name: f for f in sorted(fams, key=lambda f: f.tier)}


def relax(m, settings: dict | None = None, integer: bool = False) -> tuple[dict, str]:
    """Minimise the weighted slack needed to make ``m`` feasible.

    Returns ``(used, status)``: ``used`` maps family -> {place: amount} (places are the
    constraint's index without the slice; amounts in the family's unit, the largest over
    slices for per-slice families), ``status`` is ``"optimal"``, ``"time_limit"`` (the best
    found) or ``"failed"``.
    """
    import scipy.sparse as sp

    from .solver import column_data, compile_model, new_highs, new_lp, outcome, row_senses, run

    settings = settings or {}
    sf = compile_model(m)
    cols = sf.columns
    n, nrow = len(cols), len(sf.rows)
    A = sf.A if sf.A.format == "csc" else sf.A.tocsc()
    rhs = np.asarray(sf.rhs, dtype=float)
    sense = row_senses(sf)
    fams = families(m)
    w_h = {t: float(m.weight_h[t]) for t in m.SLICES}
    # slack columns: (row, sign, cost, family, place)
    s_row, s_sign, s_cost, s_fam, s_place = [], [], [], [], []
    for i, (con, sen) in enumerate(sf.rows):
        fam = con.parent_component().local_name
        spec = fams.get(fam)
        if spec is None:
            continue
        tier, per_slice = spec.tier, spec.per_slice
        idx = con.index()
        idx = idx if isinstance(idx, tuple) else (idx,)
        place = idx[:-1] if per_slice else idx
        unit = spec.slack_weight(place)
        if per_slice:
            unit *= w_h[idx[-1]] / HOURS
        cost = tier * max(unit, 1e-12)
        for sign in ((1.0, -1.0) if sen == 0 else (-1.0,) if sen == 1 else (1.0,)):
            s_row.append(i)
            s_sign.append(sign)
            s_cost.append(cost)
            s_fam.append(fam)
            s_place.append(place)
    k = len(s_row)
    # the model's columns at no cost, then the slack columns (>= 0) at theirs
    lower, upper, col_int = column_data(cols)
    S = sp.csc_matrix((np.asarray(s_sign, dtype=float), (np.asarray(s_row, dtype=np.int64), np.arange(k))),
                      shape=(nrow, k))
    B = sp.hstack([A, S], format="csc")
    is_int = np.r_[col_int, np.zeros(k, dtype=bool)] if integer else None
    lp = new_lp(B, sense, rhs, np.r_[np.zeros(n), np.asarray(s_cost, dtype=float)], np.r_[lower, np.zeros(k)],
                np.r_[upper, np.full(k, np.inf)], is_int)
    del B, S, A, lower, upper
    h = new_highs({key: settings.get(key) for key in ("log", "threads", "time_limit")}, lp)
    del lp
    run(h)
    out = outcome(h, n + k)
    del h
    if not out.has_solution:
        return {}, "failed"
    x = out.x[n:]
    used: dict = {}
    for j in np.flatnonzero(x > 1e-7 * np.maximum(1.0, np.abs(rhs[np.asarray(s_row, dtype=np.int64)]))):
        fam, place = s_fam[j], s_place[j]
        per_slice = fams[fam].per_slice
        d = used.setdefault(fam, {})
        d[place] = max(d.get(place, 0.0), x[j]) if per_slice else d.get(place, 0.0) + x[j]
    return used, "optimal" if out.kind == "optimal" else "time_limit"


def _amount(v: float, unit: str) -> str:
    if unit == "units":
        return f"{v:,.0f} units"
    if abs(v) >= 100:
        return f"{v:,.0f} {unit}"
    return f"{v:,.3g} {unit}"


def describe(used: dict, fams: dict) -> str:
    """The families used, in the order of ``fams`` (:func:`families`), with up to MAX_PLACES places each."""
    parts = []
    for fam, spec in fams.items():
        places = used.get(fam)
        if not places:
            continue
        desc, unit, way = spec.what, spec.unit, spec.way
        items = sorted(places.items(), key=lambda kv: (-kv[1], str(kv[0])))
        word = "up to " if spec.per_slice else ""
        named = [f"{word}{_amount(v, unit)} {way} {spec.place(p)}" for p, v in items[:MAX_PLACES]]
        more = f" and {len(items) - MAX_PLACES} more" if len(items) > MAX_PLACES else ""
        parts.append(f"{desc[:-1]}, {fam}) would need {', '.join(named)}{more}")
    return "; ".join(parts)


def explain_infeasible(m, settings: dict | None = None) -> str:
    """One paragraph on why ``m`` has no feasible plan, naming the constraint families that bind together."""
    settings = dict(settings or {})
    head = ("No plan meets every target and limit, although no year's target exceeds on its own what its sites, "
            "accelerators or power allow.")
    tail = ("Raise these limits or lower the targets of those years, or set [targets] mode = \"soft\" in "
            "scenario.toml for the cheapest plan with the shortfall reported.")
    t0 = time.perf_counter()
    lp_settings = {k: settings.get(k) for k in ("log", "threads", "time_limit")}
    used, status = relax(m, lp_settings, integer=False)
    log.info("relaxed the LP with penalised slacks in %.1f s", time.perf_counter() - t0)
    if used:
        return (f"{head} Relaxing the limits of the LP relaxation with penalised slacks shows the ones that bind "
                f"together: {describe(used, families(m))}. {tail}")
    mip_settings = dict(lp_settings)
    mip_settings["time_limit"] = float(settings.get("time_limit") or 60.0)
    used, status = relax(m, mip_settings, integer=True)
    log.info("relaxed the MIP with penalised slacks in %.1f s (%s)", time.perf_counter() - t0, status)
    if used:
        note = "" if status == "optimal" else f" (the best relaxation found in {mip_settings['time_limit']:g} s)"
        return (f"{head} The LP relaxation is feasible, so whole sites, modules or power units are what fail; "
                f"relaxing the limits with penalised slacks{note} shows the ones that bind together: "
                f"{describe(used, families(m))}. {tail}")
    return (f"{head} Relaxing the targets, power balance, grid, headroom, on-site, site, chip-supply and policy "
            "limits with penalised slacks did not locate the cause"
            + ("" if status == "optimal" else f" within {mip_settings['time_limit']:g} s")
            + "; check the integer unit sizes (techs.csv unit_mw) against max_mw_per_site, and the years of "
            "earliest_year, grid_year and the chip windows. " + tail)
