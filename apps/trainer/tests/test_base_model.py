from pathlib import Path

import pytest

from rstar_trainer.base_model import catalog_files, resolve_base
from rstar_trainer.config import ConfigError


def test_catalog_names_come_from_the_model_server_catalog() -> None:
    files = catalog_files()
    assert files["smollm2-135m"] == "smollm2-135m-instruct.Q4_1.gguf"
    assert files["gemma3-270m"] == "gemma-3-270m.Q4_K_M.gguf"


def test_resolves_names_gguf_paths_and_hf_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSTAR_MODELS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="not installed"):
        resolve_base("smollm2-135m")
    gguf = tmp_path / "smollm2-135m-instruct.Q4_1.gguf"
    gguf.write_bytes(b"GGUF")
    base = resolve_base("smollm2-135m")
    assert (base.name, base.path, base.is_gguf) == ("smollm2-135m", gguf, True)
    # A path to a catalog file is that catalog model.
    assert resolve_base(str(gguf)).name == "smollm2-135m"
    hf = tmp_path / "hf"
    hf.mkdir()
    with pytest.raises(ConfigError, match=r"no config\.json"):
        resolve_base(str(hf))
    (hf / "config.json").write_text("{}", encoding="utf-8")
    assert resolve_base(str(hf)).is_gguf is False
    with pytest.raises(ConfigError, match="unknown model 'gpt-17': use one of smollm2-135m, gemma3-270m"):
        resolve_base("gpt-17")
