"""How long ft_generate takes to start (one token) on the first and the second call with the same
model, and then to write 32 tokens, through the C ABI as a host calls it (ctypes): the first call
loads the model, the later ones find it loaded.

usage: generate_latency.py PLUGIN MODEL_FOLDER   prints one JSON line
"""
import ctypes
import json
import sys
import tempfile
import time

OUT = ctypes.POINTER(ctypes.POINTER(ctypes.c_char))
HANDLE = ctypes.c_void_p


def main(plugin_path: str, model: str) -> None:
    lib = ctypes.CDLL(plugin_path)
    lib.ft_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(HANDLE)]
    lib.ft_generate.argtypes = [HANDLE, ctypes.c_char_p, OUT]
    lib.ft_close.argtypes = [HANDLE]
    lib.ft_close.restype = None
    lib.ft_free.argtypes = [ctypes.c_void_p]
    lib.ft_last_error.restype = ctypes.c_char_p
    plugin = HANDLE()
    with tempfile.TemporaryDirectory() as workspace:
        if lib.ft_open(json.dumps({"workspace": workspace}).encode(), ctypes.byref(plugin)) != 0:
            sys.exit(lib.ft_last_error().decode())
        def timed(max_tokens: int) -> tuple:
            request = {"model": model, "prompt": "copy: a b c d =", "max_tokens": max_tokens, "temperature": 0}
            out = ctypes.POINTER(ctypes.c_char)()
            started = time.perf_counter()
            if lib.ft_generate(plugin, json.dumps(request).encode(), ctypes.byref(out)) != 0:
                sys.exit(lib.ft_last_error().decode())
            seconds = time.perf_counter() - started
            answer = json.loads(ctypes.string_at(out).decode())
            lib.ft_free(out)
            return round(seconds * 1000, 1), answer
        first, _ = timed(1)
        second, _ = timed(1)
        longer, answer = timed(32)
        lib.ft_close(plugin)
    print(json.dumps({"generate": model, "first_call_ms": first, "second_call_ms": second,
                      "tokens": answer["tokens"], "call_of_32_tokens_ms": longer}))

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: generate_latency.py PLUGIN MODEL_FOLDER")
    main(sys.argv[1], sys.argv[2])
