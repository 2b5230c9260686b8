"""GGUF export with llama.cpp's own converters, taken from the llama.cpp release node-llama-cpp ships."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .base_model import workspace_root

NODE_LLAMA_CPP = Path("node_modules/node-llama-cpp/llama")


class ExportError(RuntimeError):
    """The converter failed; the message names the command and its last output line."""


def llama_cpp_dir(root: Path | None = None) -> Path:
    """A clone of node-llama-cpp's bundled llama.cpp release, cached under .rstar/ (made on first use)."""
    root = root or workspace_root()
    source = root / NODE_LLAMA_CPP
    bundle = source / "gitRelease.bundle"
    info = source / "llama.cpp.info.json"
    if not bundle.is_file():
        raise ExportError(
            f"llama.cpp's converters come with node-llama-cpp: {bundle} is missing (run tools/setup)"
        )
    tag = json.loads(info.read_text(encoding="utf-8")).get("tag", "release") if info.is_file() else "release"
    target = root / ".rstar" / "llama.cpp" / str(tag)
    if (target / "convert_hf_to_gguf.py").is_file():
        return target
    partial = target.with_name(f"{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    _run(["git", "clone", "-q", "--depth", "1", str(bundle), str(partial)], "clone llama.cpp")
    partial.rename(target)
    return target


def _run(command: list[str], what: str) -> None:
    # The converters import gguf from their own tree's gguf-py (they put it on sys.path themselves).
    env = {k: v for k, v in os.environ.items() if k != "NO_LOCAL_GGUF"}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {result.returncode}"
        raise ExportError(f"{what} failed: {last}")


def export_full_model(hf_dir: Path, outfile: Path, outtype: str, root: Path | None = None) -> Path:
    converter = llama_cpp_dir(root) / "convert_hf_to_gguf.py"
    _run(
        [sys.executable, str(converter), str(hf_dir), "--outfile", str(outfile), "--outtype", outtype],
        "GGUF export (convert_hf_to_gguf.py)",
    )
    return outfile


def export_lora_adapter(
    adapter_dir: Path, base_hf_dir: Path, outfile: Path, outtype: str, root: Path | None = None
) -> Path:
    converter = llama_cpp_dir(root) / "convert_lora_to_gguf.py"
    _run(
        [
            sys.executable,
            str(converter),
            str(adapter_dir),
            "--base",
            str(base_hf_dir),
            "--outfile",
            str(outfile),
            "--outtype",
            outtype,
        ],
        "GGUF export (convert_lora_to_gguf.py)",
    )
    return outfile
