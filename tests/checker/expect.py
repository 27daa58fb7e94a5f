#!/usr/bin/python3
"""Prints the scenario table as lines "DOMAIN EXIT CODE,CODE,..." ("-" when no codes) for the shell
test, or, with a JSON result file, the sorted finding codes of each result as "DOMAIN CODES"."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenarios import SCENARIOS  # noqa: E402

if len(sys.argv) > 1:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    for r in doc["results"]:
        codes = sorted(x["code"] for x in r["findings"])
        print(r["domain"], ",".join(codes) or "-")
else:
    for d, s in SCENARIOS.items():
        print(d, s["exit"], ",".join(sorted(s["expect"])) or "-")
