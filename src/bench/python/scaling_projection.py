#!/usr/bin/env python3
"""Time to quality on a cluster, projected from constants measured on one machine (docs/scaling.md).

Inputs, all measured by sparkgan itself:
  --model NAME=AVERAGING_JSON,STEP       `bench --mode averaging --json` for the model, and one worker's seconds per
                                         step with one thread: `bench --mode jvm --threads 1 --json`'s file (its
                                         iteration median) or the seconds themselves
                                         (src/test/scripts/scaling-costs.sh measures both)
  --runs DIR                             the scaling study's run folders (src/test/scripts/scaling-study.sh): G_ema's
                                         SWD by images seen, per configuration
  --quality-model NAME                   the model whose runs --runs holds (the others borrow its quality: marked)

The projection, per round of W workers and k local steps, at a network bandwidth B:
  round = k * step + averaging
  averaging = fixed + 2 * M / B + depth(W) * (level + 2 * M / B)
where M is one serialized sum (G and D, parameters and RMSprop states), depth(W) = ceil(log2 W), `level` the tree's
cost per level on one machine without the moving of bytes (Spark's scheduling per level, from the empty trees, plus
one serialisation, deserialisation and addition) and `fixed` the rest of a round (the empty tree's intercept, the
broadcast's and the root's serialisation). Each level's node receives two sums (2 M / B); the broadcast and the root's
trip to the driver move one each. Nothing here was measured on a network.
"""
import argparse
import glob
import json
import math
import os

WORKERS = [1, 2, 4, 8, 16, 32, 64]
GBITS = [1, 10, 25]
MAX_SHARE = 0.10


def least_squares(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - slope * mx, slope


def depth(workers):
    return math.ceil(math.log2(workers)) if workers > 1 else 0


class Model:
    def __init__(self, name, averaging_json, step_sec):
        with open(averaging_json) as f:
            report = next(r for r in json.load(f)["reports"] if r["mode"] == "averaging")
        self.name = name
        self.step_sec = step_sec
        self.sum_bytes = report["serialized_bytes"]
        self.param_bytes = report["model_floats"] // 2 * 4  # what a gradient all-reduce moves: the parameters
        codec = report["serialize_sec"] + report["deserialize_sec"]
        trees = report["trees"]
        intercept, per_level = least_squares([len(t["levels"]) for t in trees], [t["empty_tree_sec"] for t in trees])
        self.level_sec = max(per_level, 0.0) + codec + report["add_sec"]
        self.fixed_sec = max(intercept, 0.0) + 2 * codec
        self.measured = {t["workers"]: t for t in trees}

    def averaging_sec(self, workers, gbits):
        if workers == 1:
            return 0.0
        transfer = self.sum_bytes * 8 / (gbits * 1e9)
        return self.fixed_sec + 2 * transfer + depth(workers) * (self.level_sec + 2 * transfer)

    def smallest_k(self, workers, gbits):
        """The smallest power of two k whose averaging is at most MAX_SHARE of the round."""
        k = 1
        while self.averaging_sec(workers, gbits) > MAX_SHARE * (k * self.step_sec + self.averaging_sec(workers, gbits)):
            k *= 2
        return k

    def hours(self, workers, k, gbits, images, batch):
        rounds = math.ceil(images / (workers * k * batch))
        return rounds * (k * self.step_sec + self.averaging_sec(workers, gbits)) / 3600

    def bytes_per_worker_step(self, workers, k):
        """Bytes a worker takes in or sends per local step: the broadcast, and its share of the tree's shuffle."""
        if workers == 1:
            return 0.0
        sums, nodes = 0, workers
        while nodes > 1:
            sums += nodes
            nodes = (nodes + 1) // 2
        return (self.sum_bytes + sums * self.sum_bytes / workers) / k


def step_seconds(step):
    """A step's seconds: the number itself, or the iteration median of `bench --mode jvm --json`'s file."""
    if not step.endswith(".json"):
        return float(step)
    with open(step) as f:
        report = next(r for r in json.load(f)["reports"] if r["mode"].startswith("single JVM"))
    return next(p["median_sec"] for p in report["phases"] if p["phase"] == "iteration")


def read_runs(folder):
    """{(workers, k): [(run name, batch, [(images, swd), ...]), ...] one entry per seed} and the floor, from the
    study's run folders; the SWD is G_ema's, N = 500 against the training frogs, as train's --eval-every measures it."""
    curves, floors = {}, []
    for metrics in sorted(glob.glob(os.path.join(folder, "*", "metrics.jsonl"))):
        with open(os.path.join(os.path.dirname(metrics), "config.json")) as f:
            config = json.load(f)["config"]
        batch = int(config["batch-size"])
        points, workers, k = [], 1, 1
        with open(metrics) as f:
            for line in f:
                if not line.strip():
                    continue
                record = json.loads(line)
                if "workers" in record:
                    workers, k = record["workers"], record["averaging_frequency"]
                if "swd_avg" in record:
                    points.append((record["step"] * batch * workers, record["swd_avg"]))
                    floors.append(record["swd_floor_avg"])
        curves.setdefault((workers, k), []).append((os.path.basename(os.path.dirname(metrics)), batch, points))
    return curves, sum(floors) / len(floors) if floors else float("nan")


def read_evals(folder, curves):
    """The same shape as read_runs' curves from eval's JSON lines (RUNS/NAME.eval.jsonl: every checkpoint, N = 1,000
    against the test frogs), and eval's floor."""
    evals, floors = {}, []
    for key, runs in curves.items():
        for name, batch, _ in runs:
            path = os.path.join(folder, name + ".eval.jsonl")
            if not os.path.exists(path):
                continue
            points = []
            with open(path) as f:
                for line in f:
                    record = json.loads(line)
                    points.append((record["step"] * batch * key[0], record["swd_generated_vs_test"]["avg"]))
                    floors.append(record["swd_train_vs_test"]["avg"])
            evals.setdefault(key, []).append((name, batch, sorted(points)))
    return evals, sum(floors) / len(floors) if floors else float("nan")


def label(key):
    workers, k = key
    return "single JVM" if workers == 1 else f"W = {workers}, k = {k}"


def by_steps(curves):
    """The curves by steps per worker instead of images seen: a worker's step takes the same time whatever W is, so
    this is the axis of wall time without the averaging."""
    return {key: [(name, batch, [(images // (batch * key[0]), swd) for images, swd in points])
                  for name, batch, points in runs] for key, runs in curves.items()}


def print_quality(title, curves, last=3, axis="images seen"):
    """One column per run (configurations in order, seeds side by side), and the mean of each run's last evaluations."""
    print(title + "\n")
    columns = [(key, name, points) for key in sorted(curves) for name, _, points in curves[key]]
    print(f"| {axis} | " + " | ".join(f"{label(key)} ({name})" for key, name, _ in columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for images in sorted({i for _, _, points in columns for i, _ in points}):
        cells = [next((f"{swd:.1f}" for i, swd in points if i == images), "") for _, _, points in columns]
        print(f"| {images:,} | " + " | ".join(cells) + " |")
    tails = [sum(swd for _, swd in points[-last:]) / len(points[-last:]) if points else None
             for _, _, points in columns]
    print(f"| mean of the last {last} | " + " | ".join("" if t is None else f"**{t:.1f}**" for t in tails) + " |\n")
    spread = seed_spread(columns, last)
    if spread:
        common, window, low, high = spread
        print(f"Single JVM's seed spread, the mean of the last {last} evaluations up to {common:,} {axis}: "
              f"{low:.1f} to {high:.1f}.")
        for key, name, points in columns:
            if key != (1, 1):
                t = window(points)
                if t is None:
                    print(f"- {label(key)} ({name}): did not reach {common:,} {axis}")
                else:
                    verdict = "within or below it" if t <= high else f"{t - high:.1f} above it"
                    print(f"- {label(key)} ({name}): {t:.1f}, {verdict}")
        print()


def seed_spread(columns, last):
    """The single JVM's seeds give the spread, over the same images for every run: up to where the shortest seed got.
    Returns (that end, the window function for any run's points, the lowest and highest seed), or None under 2 seeds."""
    jvm = [points for key, _, points in columns if key == (1, 1) and points]
    if len(jvm) < 2:
        return None
    common = min(points[-1][0] for points in jvm)

    def window(points):
        upto = [swd for i, swd in points if i <= common][-last:]
        return sum(upto) / len(upto) if upto and points and points[-1][0] >= common else None

    spread = [window(points) for points in jvm]
    return common, window, min(spread), max(spread)


def print_k_table(curves, last=3):
    """Which k keeps quality per image seen within the single JVM's seed spread, at each W the study ran."""
    columns = [(key, name, points) for key in sorted(curves) for name, _, points in curves[key]]
    spread = seed_spread(columns, last)
    if not spread:
        return
    common, window, low, high = spread
    ks = sorted({k for w, k in curves if w > 1})
    print(f"Which k keeps quality within the single JVM's seed spread ({low:.1f} to {high:.1f}, the mean of the last "
          f"{last} evaluations up to {common:,} images seen); each cell is a run's mean over the same window:\n")
    print("| W | " + " | ".join(f"k = {k}" for k in ks) + " |")
    print("| --- |" + " --- |" * len(ks))
    for workers in sorted({w for w, _ in curves if w > 1}):
        cells = []
        for k in ks:
            means = [window(points) for _, _, points in curves.get((workers, k), [])]
            cells.append(", ".join("not to the end" if t is None else
                                   f"{t:.1f} (within)" if t <= high else f"{t:.1f} (+{t - high:.1f})"
                                   for t in means) or "not run")
        print(f"| {workers} | " + " | ".join(cells) + " |")
    print()


def quality_key(curves, workers, k):
    """The study's configuration whose quality stands for W workers at k: W itself up to 8 (the most that ran), at the
    measured k nearest to k on a log scale (a tie goes to the larger k)."""
    if workers == 1:
        return (1, 1)
    measured_w = min(workers, 8)
    ks = [m for w, m in curves if w == measured_w] or [4]
    return measured_w, min(ks, key=lambda m: (abs(math.log2(m) - math.log2(k)), -m))


def first_reaching(curves, key, target):
    """Per seed, the first images seen at which G_ema's SWD is at or under target (None: not within its images)."""
    return [next((images for images, swd in points if swd <= target), None) for _, _, points in curves.get(key, [])]


def images_to(curves, key, target):
    """Mean over the seeds that reached target of the images it took; None if none did."""
    reached = [i for i in first_reaching(curves, key, target) if i is not None]
    return sum(reached) / len(reached) if reached else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, help="NAME=AVERAGING_JSON,STEP_SEC")
    parser.add_argument("--runs", required=True)
    parser.add_argument("--quality-model", default="small")
    args = parser.parse_args()
    models = []
    for spec in args.model:
        name, rest = spec.split("=", 1)
        path, step = rest.rsplit(",", 1)
        models.append(Model(name, path, step_seconds(step)))
    curves, floor = read_runs(args.runs)
    batch = next(iter(curves.values()))[0][1]

    print(f"Floor (real vs real, N = 500): {floor:.1f}\n")
    print_quality("Quality per image seen: G_ema's SWD x 1000 while training, N = 500 against the training frogs:",
                  curves)
    print_quality("The same by steps per worker (a step costs a worker the same time at every W):", by_steps(curves),
                  axis="steps per worker")
    evals, eval_floor = read_evals(args.runs, curves)
    if evals:
        print_quality(f"Quality per image seen: eval of every checkpoint, G_ema's SWD x 1000, N = 1,000 against the "
                      f"test frogs (floor {eval_floor:.1f}):", evals)
    print_k_table(curves)

    for model in models:
        print(f"\n{model.name}: one sum {model.sum_bytes / 1e6:.1f} MB, a step {model.step_sec:.3f} s; per tree level "
              f"{model.level_sec:.3f} s without the network, per round {model.fixed_sec:.3f} s\n")
        print("The model against the measured tree (one machine, so no network in either):\n")
        print("| W | " + " | ".join(str(w) for w in sorted(model.measured)) + " |")
        print("| --- |" + " --- |" * len(model.measured))
        print("| measured s | " + " | ".join(f"{model.measured[w]['tree_sec']:.2f}" for w in sorted(model.measured))
              + " |")
        print("| modelled s | " + " | ".join(f"{model.averaging_sec(w, math.inf):.2f}" for w in sorted(model.measured))
              + " |\n")
        for factor in (4, 3, 2):
            target = factor * floor
            print(f"Hours to SWD {target:.1f} ({factor}x the floor), with the smallest k that keeps averaging under "
                  f"{MAX_SHARE:.0%} of a round:\n")
            print("| W | " + " | ".join(f"{g} Gbit/s: k, hours" for g in GBITS) + " | images at k = 4 (measured at) |")
            print("| --- |" + " --- |" * (len(GBITS) + 1))
            for workers in WORKERS:
                measured_w = min(workers, 8)
                cells = []
                for g in GBITS:
                    k = model.smallest_k(workers, g) if workers > 1 else 1
                    key = quality_key(curves, workers, k)
                    images = images_to(curves, key, target)
                    hours = f"{model.hours(workers, k, g, images, batch):.2f}" if images else "not reached"
                    cells.append(f"{k}, {hours}" + (f" (quality at k = {key[1]})" if workers > 1 and key[1] != k else ""))
                images = images_to(curves, (1, 1) if workers == 1 else (measured_w, 4), target)
                source = f"W = {measured_w}, k = 4" if measured_w > 1 else "single JVM"
                if workers > 8:
                    source += ", extrapolated"
                if model.name != args.quality_model:
                    source += f", {args.quality_model}'s quality"
                hits = first_reaching(curves, (1, 1) if workers == 1 else (measured_w, 4), target)
                if images and None in hits:
                    source += f"; {len(hits) - hits.count(None)} of {len(hits)} seeds got there"
                reach = f"{images:,.0f}" if images else "not reached"
                print(f"| {workers} | " + " | ".join(cells) + f" | {reach} ({source}) |")
            print()
        print("Bytes a worker moves per step (MB): sparkgan's averaging every k steps against a ring all-reduce of"
              " the gradients every step:\n")
        print("| W | all-reduce | " + " | ".join(f"k = {k}" for k in (1, 4, 16, 64)) + " |")
        print("| --- | --- |" + " --- |" * 4)
        for workers in WORKERS[1:]:
            ring = 2 * (workers - 1) / workers * model.param_bytes / 1e6
            print(f"| {workers} | {ring:.1f} | " + " | ".join(
                f"{model.bytes_per_worker_step(workers, k) / 1e6:.1f}" for k in (1, 4, 16, 64)) + " |")


if __name__ == "__main__":
    main()
