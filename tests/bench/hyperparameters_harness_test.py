"""The hyper-parameter benchmark's harness without training: the task suite is deterministic and
well-formed, held-out examples never repeat a training prompt, a foreign task folder is
classified by its completions, and the oracle, the learning-rate finder and the report's
figures are what their definitions say. Usage: hyperparameters_harness_test.py BENCH_DIR"""
import json
import os
import sys
import tempfile


def read(folder, part):
    with open(os.path.join(folder, f"{part}.jsonl")) as f:
        return [json.loads(line) for line in f]


def check_suite(tasks):
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        first = tasks.write_suite(one, sizes=(30,))
        second = tasks.write_suite(two, sizes=(30,))
        assert len(first) == len(tasks.TASKS) == 6
        for a, b in zip(first, second):
            for part in ("train", "valid", "test"):
                assert read(a, part) == read(b, part), f"{a}/{part}.jsonl differs between two generations"
            train, valid, test = read(a, "train"), read(a, "valid"), read(a, "test")
            assert (len(train), len(valid), len(test)) == (30, tasks.VALID_EXAMPLES, tasks.TEST_EXAMPLES)
            keys = {tasks._key(e) for e in train}
            assert not keys & {tasks._key(e) for e in valid + test}, f"{a}: a held-out prompt is also trained on"
        chat = read(os.path.join(one, "chat-30"), "train")[0]
        assert [m["role"] for m in chat["messages"]] == ["system", "user", "assistant", "user", "assistant"]
        arithmetic = read(os.path.join(one, "arithmetic-30"), "train")[0]
        a, b = arithmetic["prompt"].rstrip(" =").split(" + ")
        assert int(arithmetic["completion"]) == int(a) + int(b)


def check_foreign_folder(tasks):
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "train.jsonl"), "w") as f:
            f.write(json.dumps({"prompt": "Is it raining?", "completion": " yes"}) + "\n")
        assert tasks.is_short_completion(folder)
        with open(os.path.join(folder, "train.jsonl"), "w") as f:
            f.write(json.dumps({"messages": [{"role": "user", "content": "Tell me"},
                                             {"role": "assistant", "content": "one two three four five six seven eight"}]})
                    + "\n")
        assert not tasks.is_short_completion(folder)


def run_record(multiplier, learning_rate, losses, valid):
    return {"hyper": {"learning_rate_multiplier": multiplier, "learning_rate": learning_rate},
            "train_losses": losses, "epochs": [{"epoch": e + 1, "valid_nll": v} for e, v in enumerate(valid)]}


def check_selection(run):
    runs = [run_record(0.1, 1e-5, [4.0], [3.0, 2.0]), run_record(0.2, 2e-5, [3.9], [1.5, 1.8]),
            run_record(0.4, 4e-5, [2.0], [1.7, 1.6]), run_record(0.8, 8e-5, [1.9], [2.5, 2.6])]
    best, epoch = run.best_cell(runs)
    assert best is runs[1] and epoch["epoch"] == 1
    # The training loss falls most steeply from 0.2 to 0.4: Lightning's suggestion is 0.2.
    assert run.finder_multiplier(runs) == 0.2
    assert run.lattice(0) == 1e-5 and run.lattice(3) == 8e-5
    # A run is scored at the epoch its job delivered: the last, or the best it selected.
    assert run.delivered_epoch(runs[0])["epoch"] == 2
    assert run.delivered_epoch(dict(runs[1], delivered_epoch=1))["epoch"] == 1


def check_report(report):
    def cell(nll, em, lr):
        return {"test_nll": nll, "test_em": em, "learning_rate": lr}

    oracle = cell(1.0, 0.5, 1e-4)
    studies = [{"base": "b", "method": "full", "task": f"t{i}", "auto": dict(cell(nll, 0.4, lr), multiplier=0.05, seconds=12),
                "oracle": dict(oracle, batch_size=1, prompt_loss_weight=0.01, epoch=3),
                "baselines": {b: cell(1.5, 0.2, 1e-5) for b in report.BASELINES}}
               for i, (nll, lr) in enumerate([(1.01, 1e-4), (1.05, 4e-4), (1.2, 2.5e-5)])]
    assert abs(report.relative_gap(studies[1]["auto"], oracle) - 0.05) < 1e-12
    assert report.lr_steps(studies[1]["auto"], oracle) == 2.0
    text = report.markdown({"date": "2026-01-01", "machine": "m", "quick": True, "seconds": 1, "trained_runs": 3}, studies)
    assert "median relative gap of auto's test loss to the oracle: +5.0%" in text.lower(), text
    assert "worst cell: +20.0%" in text, text
    assert "3 of 3 cells, 100%" in text, text  # as good as every baseline
    assert "1 of 3 cells, 33%" in text, text  # learning rate within one 2x step
    assert "| +1.0% | 0.40 / 0.50 | +0.0 | 12 |" in text, text  # auto's gap, exact match, rate steps and time


def main(bench_dir):
    sys.path.insert(0, bench_dir)
    import report
    import run
    import tasks
    check_suite(tasks)
    check_foreign_folder(tasks)
    check_selection(run)
    check_report(report)
    print("harness checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
