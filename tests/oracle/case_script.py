"""The command line every case-making script of the oracle shares:

    SCRIPT --list                  the case names, one per line (CMake registers a test for each)
    SCRIPT OUT_DIR [ARG ...] [CASE ...]   make the named cases (all by default) into OUT_DIR

`make(out, *args, name, index)` makes one case; `index` is the case's position in the list, from
which scripts derive its seeds. `args` are the script's own positional arguments after OUT_DIR.
"""
import os
import sys


def run(argv, doc, names, make, extra_args=0):
    script = os.path.basename(argv[0])
    if argv[1:] == ["--list"]:
        print("\n".join(names))
        return 0
    if len(argv) < 2 + extra_args:
        print(doc, file=sys.stderr)
        return 2
    out, args, chosen = argv[1], argv[2:2 + extra_args], argv[2 + extra_args:] or list(names)
    os.makedirs(out, exist_ok=True)
    for name in chosen:
        if name not in names:
            print(f"{script}: no case named {name!r}", file=sys.stderr)
            return 2
        make(out, *args, name, list(names).index(name))
    return 0
