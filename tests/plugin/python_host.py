"""A Python host (ctypes, standard library only): loads the plugin, checks the ABI version,
plans and runs a small job, reads its hyper-parameters and progress, and frees every string the
plugin returns with ft_free. Usage: python_host.py LIBFINETUNE.SO MODEL_FOLDER"""
import ctypes
import json
import sys
import tempfile


class Progress(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("status", ctypes.c_int),
                ("step", ctypes.c_int64), ("total_steps", ctypes.c_int64),
                ("epoch", ctypes.c_int32), ("n_epochs", ctypes.c_int32),
                ("train_loss", ctypes.c_double), ("tokens_per_second", ctypes.c_double),
                ("elapsed_seconds", ctypes.c_double), ("eta_seconds", ctypes.c_double)]


EVENT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)


class Callbacks(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("user_data", ctypes.c_void_p), ("on_event", EVENT_FN)]


OUT = ctypes.POINTER(ctypes.POINTER(ctypes.c_char))
HANDLE = ctypes.c_void_p


def load(path):
    lib = ctypes.CDLL(path)
    lib.ft_abi_version.restype = ctypes.c_uint32
    lib.ft_version.restype = ctypes.c_char_p
    lib.ft_last_error.restype = ctypes.c_char_p
    lib.ft_status_name.restype = ctypes.c_char_p
    lib.ft_status_name.argtypes = [ctypes.c_int]
    lib.ft_job_status_name.restype = ctypes.c_char_p
    lib.ft_job_status_name.argtypes = [ctypes.c_int]
    lib.ft_free.argtypes = [ctypes.c_void_p]
    lib.ft_free.restype = None
    lib.ft_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(HANDLE)]
    lib.ft_close.argtypes = [HANDLE]
    lib.ft_close.restype = None
    lib.ft_plan.argtypes = [HANDLE, ctypes.c_char_p, OUT]
    lib.ft_job_create.argtypes = [HANDLE, ctypes.c_char_p, ctypes.POINTER(Callbacks), OUT]
    lib.ft_job_hyperparameters.argtypes = [HANDLE, ctypes.c_char_p, OUT]
    lib.ft_job_progress.argtypes = [HANDLE, ctypes.c_char_p, ctypes.POINTER(Progress)]
    lib.ft_job_wait.argtypes = [HANDLE, ctypes.c_char_p, ctypes.c_int64, ctypes.POINTER(ctypes.c_int)]
    for name in ("ft_open", "ft_plan", "ft_job_create", "ft_job_hyperparameters", "ft_job_progress", "ft_job_wait"):
        getattr(lib, name).restype = ctypes.c_int
    return lib


def main(library_path, model):
    lib = load(library_path)
    version = lib.ft_abi_version()
    assert version >> 16 == 1, f"this host speaks ABI 1, the library {version >> 16}"
    print(lib.ft_version().decode())

    def check(status):
        if status != 0:
            raise RuntimeError(f"{lib.ft_status_name(status).decode()}: {lib.ft_last_error().decode()}")

    def call_json(fn, *args):
        out = ctypes.POINTER(ctypes.c_char)()
        check(fn(*args, ctypes.byref(out)))
        try:
            return json.loads(ctypes.string_at(out).decode("utf-8"))
        finally:
            lib.ft_free(out)

    with tempfile.TemporaryDirectory() as folder:
        train = f"{folder}/train.jsonl"
        with open(train, "w") as f:
            for i in range(20):
                letters = f"{chr(97 + i % 5)} {chr(97 + i // 5)}"
                f.write(json.dumps({"prompt": f"copy: {letters} =", "completion": f" {letters}"}) + "\n")
        plugin = HANDLE()
        check(lib.ft_open(json.dumps({"workspace": f"{folder}/ws", "threads": 1}).encode(), ctypes.byref(plugin)))
        events = []
        try:
            request = json.dumps({"model": model, "training_file": train,
                                  "hyperparameters": {"n_epochs": 1}, "seed": 3}).encode()
            plan = call_json(lib.ft_plan, plugin, request)
            for name, h in plan["hyperparameters"].items():
                assert h["source"] in ("auto", "user") and h["reason"], name
            print("planned", plan["estimate"])

            @EVENT_FN
            def on_event(user_data, job_id, event_json):
                events.append(json.loads(event_json))

            callbacks = Callbacks(ctypes.sizeof(Callbacks), None, on_event)
            job = call_json(lib.ft_job_create, plugin, request, ctypes.byref(callbacks))
            job_id = job["id"].encode()
            status = ctypes.c_int()
            check(lib.ft_job_wait(plugin, job_id, -1, ctypes.byref(status)))
            assert lib.ft_job_status_name(status.value) == b"succeeded", status.value
            progress = Progress(struct_size=ctypes.sizeof(Progress))
            check(lib.ft_job_progress(plugin, job_id, ctypes.byref(progress)))
            assert progress.step == progress.total_steps > 0
            hyper = call_json(lib.ft_job_hyperparameters, plugin, job_id)["hyperparameters"]
            print("learning_rate", hyper["learning_rate"]["value"], "-", hyper["learning_rate"]["reason"])
            assert events and events[-1]["data"] == {"status": "succeeded"}, events[-1:]
            print(f"{len(events)} events, last: {events[-1]['message']}")
        finally:
            lib.ft_close(plugin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
