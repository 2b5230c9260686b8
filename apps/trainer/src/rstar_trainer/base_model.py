"""Where the base model is: a catalog name, a .gguf file, or a Hugging Face directory."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError

# The model catalog lives in the TypeScript model server; it is read, not copied, so names and files agree.
CATALOG_SOURCE = Path("libs/model-server/src/model-catalog.ts")
_CATALOG_ENTRY = re.compile(r"name:\s*'([^']+)',\s*fileName:\s*'([^']+\.gguf)'")


def workspace_root() -> Path:
    """RSTAR_HOME, else the directory above this file that holds nx.json (as @rstar/workspace finds it)."""
    from_env = os.environ.get("RSTAR_HOME")
    if from_env:
        return Path(from_env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "nx.json").is_file():
            return parent
    raise ConfigError("rStar workspace not found: set RSTAR_HOME to the repository root")


def models_dir(root: Path | None = None) -> Path:
    from_env = os.environ.get("RSTAR_MODELS_DIR")
    if from_env:
        return Path(from_env).resolve()
    return (root or workspace_root()) / "models"


def catalog_files(root: Path | None = None) -> dict[str, str]:
    """Catalog name -> GGUF file name, from the model server's catalog."""
    source = (root or workspace_root()) / CATALOG_SOURCE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the model catalog {source}: {error.strerror}") from error
    entries = dict(_CATALOG_ENTRY.findall(text))
    if not entries:
        raise ConfigError(f"no models found in the model catalog {source}")
    return entries


@dataclass(frozen=True)
class BaseModel:
    """`name` is what metadata.json records: the catalog name, else the path as given."""

    name: str
    # A .gguf file, or a Hugging Face directory (config.json + weights).
    path: Path

    @property
    def is_gguf(self) -> bool:
        return self.path.suffix == ".gguf"


def resolve_base(name_or_path: str, root: Path | None = None) -> BaseModel:
    catalog = catalog_files(root)
    if name_or_path in catalog:
        path = models_dir(root) / catalog[name_or_path]
        if not path.is_file():
            raise ConfigError(
                f"--base: model '{name_or_path}' is not installed (missing {path}): run tools/setup"
            )
        return BaseModel(name_or_path, path)
    path = Path(name_or_path).resolve()
    if name_or_path.endswith(".gguf"):
        if not path.is_file():
            raise ConfigError(f"--base: model file not found: {path}")
        # A path to a catalog file is still that catalog model.
        known = next((n for n, f in catalog.items() if f == path.name), None)
        return BaseModel(known or name_or_path, path)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigError(f"--base: {path} is not a Hugging Face model directory (no config.json)")
        return BaseModel(name_or_path, path)
    names = ", ".join(catalog)
    raise ConfigError(
        f"--base: unknown model '{name_or_path}': use one of {names}, a .gguf file or a HF directory"
    )
