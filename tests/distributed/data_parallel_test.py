"""Data-parallel fine-tuning through ft-host, against one process.

Cases (argv[1]):
  torchrun  the job under `torchrun --no-python --nproc-per-node 2 ft-host start ...`
  by_hand   two ft-host processes started with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
  kill      rank 1 killed (SIGKILL) mid-run: rank 0's job fails within 60 s naming rank 1;
            both ranks resume it and finish with the uninterrupted run's losses

Each compares the per-step losses (results.csv) and the final weights (model.safetensors) with
one ft-host process training the same request (same global batch and seed), within 1e-5.
Usage: data_parallel_test.py CASE --ft-host PATH --model FOLDER --torchrun PATH
"""
import argparse
import csv
import glob
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

from safetensors.torch import load_file

TOLERANCE = 1e-5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_training_file(folder, examples):
    path = os.path.join(folder, "train.jsonl")
    rng = random.Random(1)
    with open(path, "w") as f:
        for _ in range(examples):
            letters = " ".join(rng.choice("abcdefgh") for _ in range(4))
            f.write(json.dumps({"prompt": "copy: " + letters + " =", "completion": " " + letters}) + "\n")
    return path


def start_arguments(args, training_file, epochs, extra=()):
    # fp32: bf16 autocast (where the CPU has it) rounds differently when a batch is split. No
    # learning-rate probe: a data-parallel run does not probe, so the one process must not either.
    return ["start", "--model", args.model, "--training-file", training_file, "--seed", "7",
            "--set", "n_epochs=%d" % epochs, "--set", "batch_size=8", "--set", "precision=fp32",
            "--set", "learning_rate_probe=off", "--json", *extra]


def job_folder(workspace):
    folders = glob.glob(os.path.join(workspace, "jobs", "ftjob-*"))
    assert len(folders) == 1, "expected one job in %s, found %s" % (workspace, folders)
    return folders[0]


def losses(workspace):
    with open(os.path.join(job_folder(workspace), "results.csv")) as f:
        return [float(row["train_loss"]) for row in csv.DictReader(f)]


def job_object(workspace):
    with open(os.path.join(job_folder(workspace), "job.json")) as f:
        return json.load(f)


def check_same_run(reference, other, what):
    a, b = losses(reference), losses(other)
    assert len(a) == len(b), "%s: %d steps against %d" % (what, len(b), len(a))
    worst = max(abs(x - y) for x, y in zip(a, b))
    assert worst <= TOLERANCE, "%s: per-step losses differ by %g\n%s\n%s" % (what, worst, a, b)
    wa = load_file(os.path.join(job_folder(reference), "model", "model.safetensors"))
    wb = load_file(os.path.join(job_folder(other), "model", "model.safetensors"))
    assert wa.keys() == wb.keys(), what + ": different tensors"
    weights = max((wa[k].float() - wb[k].float()).abs().max().item() for k in wa)
    assert weights <= TOLERANCE, "%s: final weights differ by %g" % (what, weights)
    print("%s: %d steps, losses within %.1e, weights within %.1e of one process" % (what, len(a), worst, weights))


def run(command, env=None, timeout=600):
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    assert done.returncode == 0, "%s exited %d:\n%s" % (command, done.returncode, done.stdout[-3000:])
    return done.stdout


def rank_environment(rank, port):
    env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    return env


def start_ranks(args, words, workspace, port):
    return [subprocess.Popen([args.ft_host, *words, "--workspace", workspace], env=rank_environment(r, port),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in range(2)]


def one_process(args, work, training_file, epochs):
    workspace = os.path.join(work, "one")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("WORLD_SIZE", None)
    run([args.ft_host, *start_arguments(args, training_file, epochs), "--workspace", workspace], env=env)
    return workspace


def case_torchrun(args, work):
    training_file = write_training_file(work, 24)
    reference = one_process(args, work, training_file, 2)
    workspace = os.path.join(work, "torchrun")
    run([args.torchrun, "--no-python", "--nproc-per-node", "2", "--master-port", str(free_port()), args.ft_host,
         *start_arguments(args, training_file, 2), "--workspace", workspace])
    check_same_run(reference, workspace, "torchrun, 2 ranks")
    check_ranks_agree(workspace)


def case_by_hand(args, work):
    training_file = write_training_file(work, 24)
    reference = one_process(args, work, training_file, 2)
    workspace = os.path.join(work, "by-hand")
    ranks = start_ranks(args, start_arguments(args, training_file, 2), workspace, free_port())
    for rank, process in enumerate(ranks):
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, "rank %d exited %d:\n%s" % (rank, process.returncode, out[-3000:])
    check_same_run(reference, workspace, "by hand, 2 ranks")
    check_ranks_agree(workspace)


def check_ranks_agree(workspace):
    # Rank 0 writes the job's checkpoints and model; rank 1 keeps its own record of the job only.
    rank1 = os.path.join(workspace, "rank-1")
    assert job_object(rank1)["id"] == job_object(workspace)["id"], "the ranks' jobs have different ids"
    assert losses(rank1) == losses(workspace), "rank 1 recorded other losses than rank 0"
    for written in ("model", "checkpoints"):
        assert not os.path.exists(os.path.join(job_folder(rank1), written)), "rank 1 wrote " + written
        assert os.path.isdir(os.path.join(job_folder(workspace), written)), "rank 0 wrote no " + written


def case_kill(args, work):
    training_file = write_training_file(work, 48)
    epochs = 2  # 12 steps, a checkpoint after each
    reference = one_process(args, work, training_file, epochs)
    workspace = os.path.join(work, "killed")
    words = start_arguments(args, training_file, epochs, ["--set", "checkpoint_interval_steps=1"])
    ranks = start_ranks(args, words, workspace, free_port())
    results = None
    deadline = time.time() + 300
    while time.time() < deadline:
        results = glob.glob(os.path.join(workspace, "jobs", "*", "results.csv"))
        if results and len(open(results[0]).read().splitlines()) >= 4:  # header and 3 steps
            break
        time.sleep(0.05)
    assert ranks[0].poll() is None and ranks[1].poll() is None, "a rank ended before the kill"
    ranks[1].send_signal(signal.SIGKILL)
    killed = time.time()
    out, _ = ranks[0].communicate(timeout=120)
    waited = time.time() - killed
    ranks[1].wait()
    assert waited < 60, "rank 0 took %.0f s to fail after rank 1 was killed" % waited
    assert ranks[0].returncode != 0, "rank 0 did not fail:\n" + out[-2000:]
    error = job_object(workspace)["error"]
    assert job_object(workspace)["status"] == "failed" and error, job_object(workspace)
    assert "rank 1 of 2" in error["message"], "the error does not name rank 1: " + error["message"]
    print("rank 1 killed after %d steps: rank 0 failed %.1f s later with: %s"
          % (len(losses(workspace)), waited, error["message"][:200]))
    job_id = job_object(workspace)["id"]
    ranks = start_ranks(args, ["resume", job_id, "--json"], workspace, free_port())
    for rank, process in enumerate(ranks):
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, "resumed rank %d exited %d:\n%s" % (rank, process.returncode, out[-3000:])
    check_same_run(reference, workspace, "killed and resumed, 2 ranks")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["torchrun", "by_hand", "kill"])
    parser.add_argument("--ft-host", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--torchrun", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        globals()["case_" + args.case](args, work)


if __name__ == "__main__":
    sys.exit(main())
