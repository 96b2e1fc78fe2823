"""Solve the bundled toy instance, print the plan and its cost, write the result tables.

Usage: python examples/quickstart.py [OUT_DIR]   (default: a new temporary folder)
"""

import sys
import tempfile
from pathlib import Path

import siting

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="siting-toy-"))
if out.exists() and any(out.iterdir()):
    sys.exit(f"{out}: not empty; to_folder() would replace it, so give a new or empty folder")

inst = siting.load_instance("toy")  # a bundled name, or the path of an instance folder
model = siting.build_model(inst)  # custom constraints could be added to the model here
res = siting.solve(model)
print(f"{inst.name}: {res.status}, total discounted cost ${res.objective / 1e9:,.3f} B\n")
print(res.summary.to_string(index=False), "\n")
by_component = res.costs.groupby("component")[["cost_usd", "cost_usd_discounted"]].sum()
print("cost by component, million USD:")
print(by_component.div(1e6).round(1).to_string(), "\n")
assert abs(by_component.cost_usd_discounted.sum() - res.objective) <= 1e-6 * abs(res.objective)
print(f"tables written to {res.to_folder(out)}")
