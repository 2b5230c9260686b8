import json
from pathlib import Path

import pytest

from rstar_trainer.config import ConfigError
from rstar_trainer.sft_data import file_sha256, load_sft_data

from .conftest import SFT_FIXTURE


def test_reads_records_manifest_and_checksum() -> None:
    data = load_sft_data(str(SFT_FIXTURE))
    assert len(data.records) == data.total == 8
    assert data.records[0].prompt.startswith("<|user|>:\n")
    assert data.manifest is not None and data.manifest["name"] == "fixture"
    assert data.special_tokens[:2] == ["<|user|>", "<|assistant|>"]
    assert data.round == 0
    assert data.sha256 == file_sha256(SFT_FIXTURE) and len(data.sha256) == 64


def test_limit_keeps_a_seeded_subset() -> None:
    a = load_sft_data(str(SFT_FIXTURE), limit=3, seed=1)
    b = load_sft_data(str(SFT_FIXTURE), limit=3, seed=1)
    assert [r.id for r in a.records] == [r.id for r in b.records]
    assert len(a.records) == 3 and a.total == 8


def test_bad_records_name_their_line(tmp_path: Path) -> None:
    good = SFT_FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    bad = dict(json.loads(good), completion="")
    path = tmp_path / "sft.jsonl"
    path.write_text(f"{good}\n{json.dumps(bad)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sft.jsonl:2: 'completion' must be a non-empty string"):
        load_sft_data(str(path))
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sft.jsonl:1: not valid JSON"):
        load_sft_data(str(path))
    with pytest.raises(ConfigError, match="no such file"):
        load_sft_data(str(tmp_path / "absent.jsonl"))
