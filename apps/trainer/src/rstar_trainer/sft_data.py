"""The SFT traces (schema rstar.sft.v1) as prompt/completion pairs, with their manifest and checksum."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError

SFT_SCHEMA = "rstar.sft.v1"
MANIFEST_SCHEMA = "rstar.sft-manifest.v1"
MANIFEST_FILE = "sft.manifest.json"
# METHOD.md §2 markers; the manifest's list is used when it has one.
DEFAULT_SPECIAL_TOKENS = (
    "<|user|>",
    "<|assistant|>",
    "<code>",
    "<end_of_step>",
    "<end_of_code>",
    "<output>",
    "<end_of_output>",
    "<answer>",
    "<end_of_answer>",
)


@dataclass(frozen=True)
class SftRecord:
    id: str
    prompt: str
    completion: str


@dataclass(frozen=True)
class SftData:
    path: Path
    sha256: str
    records: list[SftRecord]
    # Records in the file before --limit.
    total: int
    manifest: dict[str, Any] | None

    @property
    def special_tokens(self) -> list[str]:
        listed = (self.manifest or {}).get("specialTokens")
        if isinstance(listed, list) and listed and all(isinstance(t, str) for t in listed):
            return list(listed)
        return list(DEFAULT_SPECIAL_TOKENS)

    @property
    def round(self) -> int | None:
        value = (self.manifest or {}).get("round")
        return value if isinstance(value, int) else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _record(line: str, where: str) -> SftRecord:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{where}: not valid JSON: {error.msg}") from error
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    if value.get("schema") != SFT_SCHEMA:
        raise ConfigError(f"{where}: schema must be {SFT_SCHEMA!r}, got {value.get('schema')!r}")
    for key in ("id", "prompt", "completion"):
        if not isinstance(value.get(key), str) or value[key] == "":
            raise ConfigError(f"{where}: {key!r} must be a non-empty string")
    return SftRecord(id=value["id"], prompt=value["prompt"], completion=value["completion"])


def read_manifest(data_path: Path) -> dict[str, Any] | None:
    path = data_path.parent / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON: {error.msg}") from error
    if not isinstance(value, dict) or value.get("schema") != MANIFEST_SCHEMA:
        raise ConfigError(f"{path}: not an SFT manifest (schema {MANIFEST_SCHEMA!r})")
    return value


def load_sft_data(path_text: str, limit: int | None = None, seed: int = 0) -> SftData:
    """Every record is checked; `limit` keeps a seeded random subset (unbiased when the file is sorted)."""
    path = Path(path_text).resolve()
    if not path.is_file():
        raise ConfigError(f"--data: cannot read {path}: no such file")
    records: list[SftRecord] = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                records.append(_record(line, f"{path}:{number}"))
    if not records:
        raise ConfigError(f"--data: {path} holds no records")
    total = len(records)
    if limit is not None and limit < total:
        records = random.Random(seed).sample(records, limit)
    return SftData(
        path=path, sha256=file_sha256(path), records=records, total=total, manifest=read_manifest(path)
    )
