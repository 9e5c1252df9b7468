"""The benchmark's report in Markdown: one row per base, method, task and size with auto's gap to
the oracle and each baseline's, then the summary against the issue's targets."""
import math
import statistics

BASELINES = ("openai-legacy", "autotrain", "lr-finder")


def relative_gap(cell, oracle):
    return (cell["test_nll"] - oracle["test_nll"]) / oracle["test_nll"]


def lr_steps(cell, oracle):
    return math.log2(cell["learning_rate"] / oracle["learning_rate"])


def _pct(x):
    return f"{100 * x:+.1f}%"


def _points(cell, oracle):
    return f"{100 * (cell['test_em'] - oracle['test_em']):+.0f}"


def rows(studies):
    lines = ["| base | method | task | auto lr (x mult) | oracle lr, batch, plw, epoch | auto nll | oracle nll | "
             "auto gap | EM auto / oracle | LR steps | auto s | " + " | ".join(f"{b} gap (EM pts)" for b in BASELINES) + " |",
             "|" + " --- |" * (11 + len(BASELINES))]
    for s in studies:
        a, o = s["auto"], s["oracle"]
        cells = [s["base"], s["method"], s["task"], f"{a['learning_rate']:.3g} (x{a['multiplier']:.3g})",
                 f"{o['learning_rate']:.3g}, {o['batch_size']}, {o['prompt_loss_weight']:g}, {o['epoch']}",
                 f"{a['test_nll']:.4f}", f"{o['test_nll']:.4f}", _pct(relative_gap(a, o)),
                 f"{a['test_em']:.2f} / {o['test_em']:.2f}", f"{lr_steps(a, o):+.1f}", f"{a['seconds']:.0f}"]
        for b in BASELINES:
            c = s["baselines"][b]
            cells.append(f"{_pct(relative_gap(c, o))} ({_points(c, o)})")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(studies):
    gaps = [relative_gap(s["auto"], s["oracle"]) for s in studies]
    beats = [all(s["auto"]["test_nll"] <= s["baselines"][b]["test_nll"] for b in BASELINES) for s in studies]
    near = [abs(lr_steps(s["auto"], s["oracle"])) <= 1 for s in studies]
    n = len(studies)
    return [
        f"- Median relative gap of auto's test loss to the oracle: {_pct(statistics.median(gaps))} "
        f"(target at most +2%); worst cell: {_pct(max(gaps))} (target at most +10%).",
        f"- Auto at least as good as every baseline (test loss): {sum(beats)} of {n} cells, "
        f"{100 * sum(beats) / n:.0f}% (target 80%).",
        f"- Auto's learning rate within one 2x step of the oracle's: {sum(near)} of {n} cells, "
        f"{100 * sum(near) / n:.0f}% (target 70%).",
    ]


def markdown(header, studies):
    kind = "quick mode" if header["quick"] else "run"
    lines = [f"Benchmark {kind} of {header['date']} on {header['machine']}: {len(studies)} cells, "
             f"{header['trained_runs']} fine-tunes trained in this invocation, {header['seconds']} s, "
             f"{header.get('jobs', 1)} studies at a time.", ""]
    if studies:
        lines += rows(studies) + [""] + targets(studies)
    return "\n".join(lines) + "\n"
