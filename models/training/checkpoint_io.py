"""Checkpoint save/load that behaves the same on torch 1.13 and torch 2.x.

Checkpoints hold only tensors and plain Python containers/scalars, so they
also load under torch 2.6+'s default weights_only=True. We still pass
weights_only=False where the keyword exists, because these are our own files
and a stricter unpickler should never be the reason a run fails to resume.
"""
import inspect
import os

import torch

_LOAD_TAKES_WEIGHTS_ONLY = "weights_only" in inspect.signature(torch.load).parameters


def load_checkpoint(path, map_location="cpu"):
    if _LOAD_TAKES_WEIGHTS_ONLY:
        return torch.load(path, map_location=map_location, weights_only=False)
    return torch.load(path, map_location=map_location)


def save_atomic(obj, path):
    """Write to <path>.tmp then rename, so a kill mid-write never leaves a torn file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def cpu_state_dict(module, dtype=torch.float32):
    """A detached CPU copy of a state_dict; floating tensors cast to dtype."""
    return {k: (v.detach().to("cpu", dtype) if v.is_floating_point() else v.detach().cpu()).contiguous()
            for k, v in module.state_dict().items()}
