"""How the triage models live on disk: numpy arrays in an `.npz` beside a JSON manifest.

Written atomically (a reader never sees half a model, even while `tandem models build` runs beside a
live desk) and read without pickle, so loading a model never executes anything from the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray


def write_model(directory: Path, npz_name: str, json_name: str, arrays: dict[str, NDArray[Any]], manifest: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _atomic_npz(directory / npz_name, arrays)
    _atomic_text(directory / json_name, json.dumps(manifest))


def read_model(directory: Path, npz_name: str, json_name: str) -> tuple[dict[str, Any], dict[str, NDArray[Any]]] | None:
    """The manifest and the arrays, or None when either file is missing."""
    if not (directory / json_name).exists() or not (directory / npz_name).exists():
        return None
    manifest = json.loads((directory / json_name).read_text(encoding="utf-8"))
    with np.load(directory / npz_name, allow_pickle=False) as arrays:
        return manifest, {key: arrays[key] for key in arrays.files}


def _atomic_text(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _atomic_npz(path: Path, arrays: dict[str, NDArray[Any]]) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".npz")
    save: Any = np.savez  # numpy's stub types **arrays against its allow_pickle keyword
    with os.fdopen(handle, "wb") as out:
        save(out, **arrays)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
