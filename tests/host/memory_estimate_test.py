"""The plan's estimated_memory_bytes against the peak resident memory of the run it plans: a
training through ft-host, in its own process, on workloads (a) and (b) of `make bench` (a
7.0M-parameter Llama; 64 examples of 256 tokens, and 64 of 20-400 tokens; batch 8). The estimate
must lie within 20% of the measured peak and never more than 10% below it, so that a plan never
approves a run the machine cannot hold. (Workload (c), 163M parameters, is measured by make bench.)

usage: memory_estimate_test.py --build DIR
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import engine_vs_transformers as bench  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    build = Path(parser.parse_args().build).resolve()
    (build / "bench").mkdir(parents=True, exist_ok=True)
    sp = bench.sentencepiece.SentencePieceProcessor(model_file=str(bench.TOKENIZER))
    failures = 0
    for name in "ab":
        spec = bench.WORKLOADS[name]
        folder = bench.model_folder(build, spec["shape"])
        run = bench.run_engine(build, folder, bench.training_file(build, name, spec, sp), spec["batch"])
        estimate, peak = run["plan"]["estimated_memory_bytes"], run["peak_rss_bytes"]
        ratio = estimate / peak
        ok = 0.9 <= ratio <= 1.2
        failures += not ok
        print(f"workload {name} ({spec['what']}, {run['plan']['precision']}): estimated {estimate} bytes, "
              f"peak resident {peak} bytes, ratio {ratio:.3f} {'ok' if ok else 'OUTSIDE 0.9-1.2'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
