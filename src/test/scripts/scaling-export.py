#!/usr/bin/env python3
"""Copies what docs/scaling.md's tables are computed from out of the study's run folders (scaling-study.sh's RUNS):
each run's config.json and metrics.jsonl, and its eval lines, with the data set's location replaced by "DATA" and the
checkpoints' by their path inside the run folder.
    src/test/scripts/scaling-export.py RUNS OUT
scaling_projection.py --runs OUT then prints the same tables as --runs RUNS."""
import glob
import json
import os
import shutil
import sys


def main(runs, out):
    for metrics in sorted(glob.glob(os.path.join(runs, "*", "metrics.jsonl"))):
        run = os.path.dirname(metrics)
        name = os.path.basename(run)
        os.makedirs(os.path.join(out, name), exist_ok=True)
        with open(os.path.join(run, "config.json")) as f:
            config = json.load(f)
        config["config"]["data"] = "DATA"
        config.get("provenance", {})["data_uri"] = "DATA"
        with open(os.path.join(out, name, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        shutil.copyfile(metrics, os.path.join(out, name, "metrics.jsonl"))
        evals = os.path.join(runs, name + ".eval.jsonl")
        if os.path.exists(evals):
            with open(evals) as f, open(os.path.join(out, name + ".eval.jsonl"), "w") as g:
                for line in f:
                    record = json.loads(line)
                    record["reference"] = "DATA"
                    record["checkpoint"] = record["checkpoint"][record["checkpoint"].rindex("/checkpoints/") + 1:]
                    g.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
