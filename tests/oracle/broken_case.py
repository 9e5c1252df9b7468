"""The oracle must be able to fail: a copy of a model case with one thing broken must fail hf-parity.

usage: broken_case.py HF_PARITY CASE_DIR WORK_DIR weight|rope_theta

weight:     one element of the first attention projection's weight moved by 0.01
rope_theta: the rotary base in config.json doubled (either spelling, transformers 4 or 5)
Exits 0 when hf-parity reports a FAIL (exit code 1) on the broken copy, 1 otherwise.
"""
import json
import os
import shutil
import subprocess
import sys

from safetensors.torch import load_file, save_file


def break_weight(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors") and f != "reference.safetensors")
    for name in files:
        tensors = load_file(os.path.join(folder, name))
        target = next((k for k in sorted(tensors) if "attn" in k and k.endswith("weight") and tensors[k].dim() == 2), None)
        if target:
            tensors[target].view(-1)[0] += 0.01
            save_file(tensors, os.path.join(folder, name), metadata={"format": "pt"})
            return f"{target} in {name}"
    raise SystemExit(f"broken_case.py: no attention weight in {folder}")


def break_rope_theta(folder):
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        config = json.load(f)
    holder = config.get("rope_parameters") or config
    if "rope_theta" not in holder:
        raise SystemExit(f"broken_case.py: {path} has no rope_theta")
    holder["rope_theta"] *= 2
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return f"rope_theta {holder['rope_theta'] / 2:g} -> {holder['rope_theta']:g}"


def main(argv):
    if len(argv) != 5 or argv[4] not in ("weight", "rope_theta"):
        print(__doc__, file=sys.stderr)
        return 2
    hf_parity, case, work, what = argv[1:]
    broken = os.path.join(work, os.path.basename(case.rstrip("/")) + "-broken-" + what)
    shutil.rmtree(broken, ignore_errors=True)
    shutil.copytree(case, broken)
    change = break_weight(broken) if what == "weight" else break_rope_theta(broken)
    print(f"broken copy {broken}: {change}")
    result = subprocess.run([hf_parity, broken], capture_output=True, text=True)
    print(result.stdout + result.stderr)
    if result.returncode == 1 and "FAIL" in result.stdout:
        print("hf-parity failed on the broken copy, as it must")
        return 0
    print(f"hf-parity exited {result.returncode} on the broken copy; it must report FAIL and exit 1")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
