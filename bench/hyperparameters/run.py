"""How good is "auto"? Fine-tunes each base on each task with the plugin's automatic plan, with
the points of a grid, and with three baselines, and reports auto's gap to the grid's best cell
(the oracle). Usage and the grid are in docs/hyperparameters.md ("The benchmark").

    run.py [--quick] [--tasks DIR] [--base DIR ...] [--out DIR] [--report FILE]
"""
import argparse
import concurrent.futures
import datetime
import hashlib
import json
import math
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bases  # noqa: E402
import report  # noqa: E402
import tasks  # noqa: E402
from plugin import Plugin  # noqa: E402

SEED = 7
MAX_EPOCHS = 6  # the grid's runs train this many epochs and are scored after each
LATTICE_RATE = 1e-5  # the grid's learning rates are 1e-5 x 2^k
LR_POINTS = 7  # around auto's rate
MAX_LR_EXTENSION = 5  # more 2x steps at an end where the best of the axis lies
PROMPT_LOSS_WEIGHTS = (0.0, 0.01, 0.1, 1.0)
FINDER_STEPS = 20  # the learning-rate finder's look at the start of each run
# With no checkpoints inside an epoch, every epoch's model is captured (plugin.py).
EPOCH_CHECKPOINTS_ONLY = 1000000
# The plan's values that decide what a run learns: equal values, equal run.
TRAINING_KEYS = ("method", "precision", "n_epochs", "batch_size", "learning_rate", "prompt_loss_weight", "max_seq_len",
                 "warmup_steps", "lr_schedule", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon",
                 "max_grad_norm", "seed", "lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules")
QUICK_TASKS = "classification,extraction,arithmetic,chat"
PRESET_CAPS = {"small-llama-2m": 600, "small-llama-10m": 1800}
# Quick mode fine-tunes the 2M base when it is cached; on a fresh machine it pre-trains a smaller
# one of the same shape (a 90 s corpus, cached as small-llama-2m-quick) so that the whole quick
# mode, pre-training included, stays within about 10 minutes.
QUICK_PRESET, QUICK_NAME, QUICK_CAP = "small-llama-2m", "small-llama-2m-quick", 90


class Bench:
    def __init__(self, args, workspaces):
        self.args = args
        self.out = os.path.abspath(args.out)
        # A workspace of its own, so that two invocations, or two workers of one, share the cache
        # of runs and nothing else.
        self.workspace = os.path.join(workspaces, f"workspace-{os.getpid()}")
        self.plugin = Plugin(args.library, self.workspace, args.threads)
        os.makedirs(os.path.join(self.out, "runs"), exist_ok=True)
        self.trained_runs = 0
        self.hashes = {}

    # ---- one fine-tune, every epoch scored ----

    def request(self, base, task, method, hyper, validation):
        request = {"model": base, "training_file": os.path.join(task, "train.jsonl"), "method": method,
                   "hyperparameters": dict(hyper, checkpoint_interval_steps=EPOCH_CHECKPOINTS_ONLY), "seed": SEED}
        if validation:
            request["validation_file"] = os.path.join(task, "valid.jsonl")
        return request

    def run(self, base, task, method, hyper, validation=False):
        """A fine-tune with `hyper` set (the rest auto): its plan and, per epoch, the validation
        and test completion NLL and exact match. Cached under out/runs by what decides the
        training (the resolved plan, the base's and the task's contents), so that a grid cell
        another policy or invocation already trained is not trained again. `validation`: the
        request names the task's validation file (auto's learning-rate probe scores on it)."""
        request = self.request(base, task, method, hyper, validation)
        plan = self.plugin.plan(request)["hyperparameters"]
        trained = {k: plan[k]["value"] for k in TRAINING_KEYS if k in plan}
        # A run whose rate is measured at its start is not the grid cell of the rule's rate, and
        # what it trains depends on how the plugin measures: a new build's probe trains anew.
        probed = plan.get("learning_rate_probe", {}).get("value") == "planned"
        # So is one that chooses its epoch: what it delivers depends on how the plugin selects.
        selects = plan.get("epoch_selection", {}).get("value") == "best_validation"
        if probed:
            trained["learning_rate_probe"] = {k: plan[k]["value"] for k in plan if k.startswith("learning_rate_probe")}
        if selects:
            trained["epoch_selection"] = "best_validation"
        if probed or selects:
            trained["plugin"] = self.content_hash(self.args.library)
        key = hashlib.sha1(json.dumps([trained, self.fingerprint(base, task)], sort_keys=True).encode()).hexdigest()[:16]
        cached = os.path.join(self.out, "runs", key + ".json")
        if os.path.exists(cached):
            with open(cached) as f:
                result = json.load(f)
            if not (probed or selects):
                result["hyper"]["learning_rate_multiplier"] = plan["learning_rate_multiplier"]["value"]
            return result
        epochs_dir = os.path.join(self.workspace, "epochs", key)
        shutil.rmtree(epochs_dir, ignore_errors=True)
        started = time.monotonic()
        job, plan, steps, delivered = self.plugin.train(request, epochs_dir)
        seconds = time.monotonic() - started
        n = steps[-1]["epoch"]  # the planned epochs, or fewer where the run stopped early
        folders = [os.path.join(epochs_dir, f"epoch-{e}") for e in range(1, n + 1)]
        missing = [f for f in folders if not os.path.isdir(f)]
        if missing:
            raise RuntimeError(f"epoch models not captured: {missing}")
        valid = self.evaluate(os.path.join(task, "valid.jsonl"), base, folders)
        test = self.evaluate(os.path.join(task, "test.jsonl"), base, folders)
        result = {"hyper": {k: plan[k]["value"] for k in ("n_epochs", "batch_size", "learning_rate_multiplier",
                                                          "learning_rate", "prompt_loss_weight", "method")},
                  "set": hyper, "seconds": round(seconds, 1), "delivered_epoch": delivered or n,
                  "train_losses": [s["train_loss"] for s in steps[:FINDER_STEPS]],
                  "epochs": [{"epoch": e + 1, "valid_nll": v["completion_nll"], "valid_em": v["exact_match"],
                              "test_nll": t["completion_nll"], "test_em": t["exact_match"]}
                             for e, (v, t) in enumerate(zip(valid, test))]}
        shutil.rmtree(epochs_dir, ignore_errors=True)
        shutil.rmtree(os.path.join(self.workspace, "jobs", job["id"]), ignore_errors=True)
        with open(cached + ".part", "w") as f:
            json.dump(result, f)
        os.rename(cached + ".part", cached)
        self.trained_runs += 1
        scored = delivered_epoch(result)
        log(f"  {os.path.basename(task)} {method} {hyper or 'auto'}: lr {result['hyper']['learning_rate']:.3g}, "
                 f"{n} epochs, {seconds:.0f} s, delivered epoch {scored['epoch']}: test nll {scored['test_nll']:.4f} "
                 f"em {scored['test_em']:.2f}")
        return result

    def cell(self, base, task, method, auto_hyper, learning_rate, **fixed):
        """A grid cell: every hyper-parameter set, the learning rate through the multiplier."""
        base_rate = auto_hyper["learning_rate"] / auto_hyper["learning_rate_multiplier"]
        hyper = {"n_epochs": MAX_EPOCHS, "batch_size": auto_hyper["batch_size"],
                 "prompt_loss_weight": auto_hyper["prompt_loss_weight"], "learning_rate_multiplier": learning_rate / base_rate}
        hyper.update(fixed)
        return self.run(base, task, method, hyper)

    def fingerprint(self, base, task):
        """The contents of the base's weights and the task's files."""
        paths = [os.path.join(base, "model.safetensors"), os.path.join(base, "adapter_model.safetensors"),
                 *(os.path.join(task, f"{p}.jsonl") for p in ("train", "valid", "test"))]
        return [self.content_hash(p) for p in paths if os.path.exists(p)]

    def content_hash(self, path):
        stat = os.stat(path)
        known = self.hashes.get(path)
        if known and known[0] == (stat.st_size, stat.st_mtime):
            return known[1]
        with open(path, "rb") as f:
            digest = hashlib.sha1(f.read()).hexdigest()
        self.hashes[path] = ((stat.st_size, stat.st_mtime), digest)
        return digest

    def evaluate(self, examples, base, folders):
        command = [self.args.evaluator, "--file", examples, "--threads", str(self.args.threads), "--base", base, *folders]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
        return [json.loads(line) for line in done.stdout.splitlines()]

    # ---- one base, task and method ----

    def study(self, base, task, method):
        name = os.path.basename(os.path.normpath(task))
        started = time.monotonic()
        log(f"{os.path.basename(base)} / {name} / {method}")
        auto = self.run(base, task, method, {}, validation=True)
        a = auto["hyper"]
        # The learning rates lie on one lattice, 1e-5 x 2^k, whatever auto's rate: the 7 points
        # nearest auto's, so that a policy that moves auto's rate still shares cells with another.
        centre = round(math.log2(a["learning_rate"] / LATTICE_RATE))
        lr_axis = {k: self.cell(base, task, method, a, lattice(k)) for k in range(centre - 3, centre + 4)}
        # An optimum at an end of the axis is not enclosed: extend the axis that way until it is.
        for direction in (1, -1):
            while len(lr_axis) < LR_POINTS + MAX_LR_EXTENSION:
                end = max(lr_axis) if direction > 0 else min(lr_axis)
                if best_run(lr_axis.values()) is not lr_axis[end]:
                    break
                lr_axis[end + direction] = self.cell(base, task, method, a, lattice(end + direction))
        grid = [lr_axis[k] for k in sorted(lr_axis)]
        best = best_run(grid)
        batch = a["batch_size"]
        examples = count_lines(os.path.join(task, "train.jsonl"))
        neighbours = (0,) if self.args.quick else (-1, 0, 1)
        for b in sorted({max(1, batch // 4), min(256, examples, batch * 4)} - {batch}):
            for k in neighbours:
                grid.append(self.cell(base, task, method, a, best["hyper"]["learning_rate"] * 2.0 ** k, batch_size=b))
        if tasks.is_short_completion(task):
            best = best_run(grid)
            for w in PROMPT_LOSS_WEIGHTS:
                if w != best["hyper"]["prompt_loss_weight"]:
                    grid.append(self.cell(base, task, method, a, best["hyper"]["learning_rate"],
                                          batch_size=best["hyper"]["batch_size"], prompt_loss_weight=w))
        baselines = {
            "openai-legacy": self.run(base, task, method, {
                "n_epochs": 4, "batch_size": min(256, max(1, round(examples * 0.002))),
                "learning_rate_multiplier": 0.1, "prompt_loss_weight": 0.01}),
            "autotrain": self.run(base, task, method, {
                "n_epochs": 1, "batch_size": min(2, examples),
                "learning_rate_multiplier": 3e-5 / (a["learning_rate"] / a["learning_rate_multiplier"])}),
            "lr-finder": self.run(base, task, method, {
                "learning_rate_multiplier": finder_multiplier(list(lr_axis.values()))}),
        }
        oracle_run, oracle_epoch = best_cell(grid)
        return {"base": os.path.basename(os.path.normpath(base)), "task": name, "method": method,
                "examples": examples, "auto": summary(auto, delivered_epoch(auto)),
                "oracle": summary(oracle_run, oracle_epoch),
                "baselines": {k: summary(r, delivered_epoch(r)) for k, r in baselines.items()},
                "grid_runs": len(grid), "seconds": round(time.monotonic() - started, 1)}


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def lattice(k):
    return LATTICE_RATE * 2.0 ** k


def count_lines(path):
    with open(path) as f:
        return sum(1 for line in f if line.strip())


def delivered_epoch(run):
    """The epoch whose weights the run's job delivered: the last, or its best by validation loss
    where it selected one (results cached before epoch selection have the last)."""
    return run["epochs"][run.get("delivered_epoch", len(run["epochs"])) - 1]


def best_cell(runs):
    """The (run, epoch) with the lowest validation NLL: the oracle."""
    return min(((r, e) for r in runs for e in r["epochs"]), key=lambda re: re[1]["valid_nll"])


def best_run(runs):
    return best_cell(runs)[0]


def finder_multiplier(lr_runs):
    """A learning-rate range test (Smith 2017; Lightning's Tuner.lr_find) over the LR axis: the
    mean training loss of each run's first FINDER_STEPS steps against log2 of its multiplier,
    and the multiplier where that curve falls most steeply (Lightning's suggestion)."""
    points = sorted((r["hyper"]["learning_rate_multiplier"], sum(r["train_losses"]) / len(r["train_losses"]))
                    for r in lr_runs)
    slopes = [(points[i + 1][1] - points[i][1]) / (math.log2(points[i + 1][0]) - math.log2(points[i][0]))
              for i in range(len(points) - 1)]
    steepest = min(range(len(slopes)), key=lambda i: slopes[i])
    return points[steepest][0]


def summary(run, epoch):
    return {"learning_rate": run["hyper"]["learning_rate"], "multiplier": run["hyper"]["learning_rate_multiplier"],
            "batch_size": run["hyper"]["batch_size"], "prompt_loss_weight": run["hyper"]["prompt_loss_weight"],
            "epoch": epoch["epoch"], "n_epochs": run["hyper"]["n_epochs"], "valid_nll": epoch["valid_nll"],
            "test_nll": epoch["test_nll"], "test_em": epoch["test_em"], "seconds": run["seconds"]}


def task_folders(args, out):
    if args.tasks:
        root = os.path.abspath(args.tasks)
        if os.path.exists(os.path.join(root, "train.jsonl")):
            return [root]
        found = sorted(os.path.join(root, d) for d in os.listdir(root)
                       if os.path.exists(os.path.join(root, d, "train.jsonl")))
        if not found:
            raise SystemExit(f"--tasks {args.tasks}: no folder with train.jsonl, valid.jsonl and test.jsonl")
        return found
    return tasks.write_suite(os.path.join(out, "tasks"), args.task_names, args.sizes)


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(here, "..", "..", "build")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="at most about 10 minutes: the 2M base, four 30-example tasks, full fine-tuning")
    p.add_argument("--tasks", help="a task folder (train/valid/test.jsonl) or a folder of them, instead of the suite")
    p.add_argument("--base", action="append", default=[], help="a checkpoint folder to fine-tune instead of the "
                   "generated bases (repeatable)")
    p.add_argument("--presets", default="small-llama-2m,small-llama-10m", help="bases to pre-train")
    p.add_argument("--task-names", default=",".join(tasks.TASKS))
    p.add_argument("--sizes", default="30,300,3000")
    p.add_argument("--methods", default="full,lora")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for training and scoring (default 1: on a "
                   "machine shared with other work one thread trains faster than two)")
    p.add_argument("--jobs", type=int, default=None, help="studies (base, task, method) run side by side, each in a "
                   "process of its own (default: the cores over --threads)")
    p.add_argument("--out", default=os.path.join(build, "bench-hparams"))
    p.add_argument("--report", help="write the Markdown report here as well")
    p.add_argument("--library", default=os.path.join(build, "plugin", "libfinetune.so"))
    p.add_argument("--evaluator", default=os.path.join(build, "bench", "hyperparameters", "ft-evaluate-model"))
    args = p.parse_args(argv)
    if args.quick:
        args.presets, args.task_names, args.sizes, args.methods = "small-llama-2m", QUICK_TASKS, "30", "full"
    if args.jobs is None:
        args.jobs = max(1, (os.cpu_count() or 1) // max(1, args.threads))
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    args.task_names = args.task_names.split(",")
    args.sizes = [int(s) for s in args.sizes.split(",")]
    return args


def bench_bases(args, out):
    """The base folders to fine-tune: the user's, or the presets', pre-trained when not cached."""
    if args.base:
        return [os.path.abspath(b) for b in args.base]
    if args.quick and not bases.is_cached(out, QUICK_PRESET, PRESET_CAPS[QUICK_PRESET]):
        return [bases.pretrained_base(args.library, QUICK_PRESET, out, QUICK_CAP, args.threads, log,
                                      name=QUICK_NAME)]
    return [bases.pretrained_base(args.library, preset, out, PRESET_CAPS[preset], args.threads, log)
            for preset in args.presets.split(",")]


_worker_bench = None


def _open_worker(args, workspaces):
    global _worker_bench
    _worker_bench = Bench(args, workspaces)
    multiprocessing.util.Finalize(None, _worker_bench.plugin.close, exitpriority=10)


def _study_in_worker(base, task, method):
    before = _worker_bench.trained_runs
    return _worker_bench.study(base, task, method), _worker_bench.trained_runs - before


def run_studies(args, workspaces, plan):
    """Each (base, task, method) study on one of args.jobs worker processes (fresh interpreters,
    each with the plugin opened once in a workspace of its own); the studies in plan's order and
    the fine-tunes they trained."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=context, initializer=_open_worker,
                                                initargs=(args, workspaces)) as pool:
        done = [f.result() for f in [pool.submit(_study_in_worker, *study) for study in plan]]
    return [study for study, _ in done], sum(trained for _, trained in done)


def main(argv):
    args = parse_args(argv)
    started = time.monotonic()
    out = os.path.abspath(args.out)
    base_folders = bench_bases(args, out)
    folders = task_folders(args, out)
    plan = [(base, task, method) for base in base_folders for method in args.methods.split(",") for task in folders]
    workspaces = os.path.join(out, f"workspaces-{os.getpid()}")
    try:
        studies, trained_runs = run_studies(args, workspaces, plan)
    finally:
        shutil.rmtree(workspaces, ignore_errors=True)
    header = {"date": datetime.date.today().isoformat(), "machine": machine(), "quick": args.quick,
              "seconds": round(time.monotonic() - started), "trained_runs": trained_runs, "jobs": args.jobs}
    text = report.markdown(header, studies)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"header": header, "studies": studies}, f, indent=1)
    for path in [os.path.join(out, "report.md")] + ([args.report] if args.report else []):
        with open(path, "w") as f:
            f.write(text)
    print(text)
    return 0


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
