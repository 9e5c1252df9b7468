"""The plugin through its C ABI (ctypes): plans, fine-tunes and keeps each epoch's model.

Epoch models: a run writes a checkpoint at the end of every epoch and keeps only the newest three
(docs/api.md, the workspace); while the job runs, each new epoch-NNNN checkpoint's model (or
adapter) folder is hard-linked aside, so every epoch can be evaluated afterwards at no extra
training cost. Hard links survive the plugin removing the checkpoint later."""
import ctypes
import json
import os
import shutil

OUT = ctypes.POINTER(ctypes.POINTER(ctypes.c_char))
HANDLE = ctypes.c_void_p
EVENT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)


class Callbacks(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("user_data", ctypes.c_void_p), ("on_event", EVENT_FN)]


class PluginError(RuntimeError):
    pass


def _load(path):
    lib = ctypes.CDLL(path)
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
    lib.ft_job_get.argtypes = [HANDLE, ctypes.c_char_p, OUT]
    lib.ft_job_hyperparameters.argtypes = [HANDLE, ctypes.c_char_p, OUT]
    lib.ft_job_events.argtypes = [HANDLE, ctypes.c_char_p, ctypes.c_int64, OUT]
    lib.ft_job_wait.argtypes = [HANDLE, ctypes.c_char_p, ctypes.c_int64, ctypes.POINTER(ctypes.c_int)]
    for name in ("ft_open", "ft_plan", "ft_job_create", "ft_job_get", "ft_job_hyperparameters", "ft_job_events",
                 "ft_job_wait"):
        getattr(lib, name).restype = ctypes.c_int
    return lib


def _link_tree(source, target):
    os.makedirs(target, exist_ok=True)
    for name in os.listdir(source):
        s, t = os.path.join(source, name), os.path.join(target, name)
        if os.path.isdir(s):
            _link_tree(s, t)
        else:
            os.link(s, t)


class Plugin:
    """One workspace opened in libfinetune.so; close() (or a with block) closes it."""

    def __init__(self, library, workspace, threads):
        self.lib = _load(library)
        self.workspace = workspace
        self.handle = HANDLE()
        options = json.dumps({"workspace": workspace, "threads": threads}).encode()
        self._check(self.lib.ft_open(options, ctypes.byref(self.handle)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.handle:
            self.lib.ft_close(self.handle)
            self.handle = HANDLE()

    def _check(self, status):
        if status != 0:
            raise PluginError(f"{self.lib.ft_status_name(status).decode()}: {self.lib.ft_last_error().decode()}")

    def _call_json(self, fn, *args):
        out = ctypes.POINTER(ctypes.c_char)()
        self._check(fn(*args, ctypes.byref(out)))
        try:
            return json.loads(ctypes.string_at(out).decode("utf-8"))
        finally:
            self.lib.ft_free(out)

    def plan(self, request):
        return self._call_json(self.lib.ft_plan, self.handle, json.dumps(request).encode())

    def train(self, request, epoch_models):
        """Runs the request to its end; each epoch's model folder is linked into
        `epoch_models`/epoch-N. Returns (job object, hyper-parameters, per-step metrics, the epoch
        whose weights the job delivered: its best by validation loss when it selected one, else
        None for the last)."""
        callbacks = Callbacks(ctypes.sizeof(Callbacks), None, EVENT_FN(lambda *a: None))
        job = self._call_json(self.lib.ft_job_create, self.handle, json.dumps(request).encode(), ctypes.byref(callbacks))
        job_id = job["id"].encode()
        checkpoints = os.path.join(self.workspace, "jobs", job["id"], "checkpoints")
        status = ctypes.c_int()
        while True:
            finished = self.lib.ft_job_wait(self.handle, job_id, 200, ctypes.byref(status)) == 0
            self._capture_epochs(checkpoints, epoch_models)
            if finished:
                break
        job = self._call_json(self.lib.ft_job_get, self.handle, job_id)
        if job["status"] != "succeeded":
            raise PluginError(f"job {job['id']} {job['status']}: {job.get('error')}")
        hyper = self._call_json(self.lib.ft_job_hyperparameters, self.handle, job_id)["hyperparameters"]
        events = self._events(job_id)
        steps = [e["data"] for e in events if e["type"] == "metrics"]
        selected = [e["data"]["epoch"] for e in events if e["type"] == "epoch_selected"]
        return job, hyper, steps, (selected[-1] if selected else None)

    def _events(self, job_id):
        events, after = [], 0
        while True:
            page = self._call_json(self.lib.ft_job_events, self.handle, job_id, ctypes.c_int64(after))
            events += page["data"]
            if page["data"]:
                after = page["data"][-1]["seq"]
            if not page["has_more"] or not page["data"]:
                return events

    @staticmethod
    def _capture_epochs(checkpoints, epoch_models):
        if not os.path.isdir(checkpoints):
            return
        for name in sorted(os.listdir(checkpoints)):
            if not (name.startswith("epoch-") and name[6:].isdigit()):  # not one being written
                continue
            target = os.path.join(epoch_models, f"epoch-{int(name[6:])}")
            if os.path.exists(target):
                continue
            for kind in ("adapter", "model"):
                source = os.path.join(checkpoints, name, kind)
                if os.path.isdir(source):
                    try:
                        _link_tree(source, target + ".part")
                        os.rename(target + ".part", target)
                    except FileNotFoundError:  # removed by the plugin as it was linked: lost
                        shutil.rmtree(target + ".part", ignore_errors=True)
                    break

