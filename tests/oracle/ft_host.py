"""Driving ft-host from the oracle scripts: its commands, and a one-epoch fine-tune."""
import json
import os
import subprocess


def run(ft_host, *args):
    """ft-host's standard output; a failure stops the script with what ft-host said."""
    result = subprocess.run([ft_host, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"ft-host {args[0]} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


def write_copy_task(path, count=48):
    with open(path, "w") as f:
        for i in range(count):
            letters = " ".join(chr(ord("a") + (i >> (3 * k)) % 8) for k in range(4))
            f.write(json.dumps({"prompt": f"copy: {letters} =", "completion": f" {letters}"}) + "\n")


def fine_tune(ft_host, work, model, training_file=None, *options):
    """Trains `model` for one epoch (seed 7) on `training_file` (default: a small copy task written
    into `work`) in the workspace `work`/workspace; returns the job's fine_tuned_model folder."""
    if training_file is None:
        training_file = os.path.join(work, "train.jsonl")
        write_copy_task(training_file)
    workspace = os.path.join(work, "workspace")
    start = run(ft_host, "start", "--workspace", workspace, "--model", model, "--training-file", training_file,
                "--set", "n_epochs=1", "--seed", "7", *options, "--json")
    job_id = json.loads(start.splitlines()[0])["id"]
    return json.loads(run(ft_host, "show", job_id, "--workspace", workspace, "--json"))["fine_tuned_model"]
