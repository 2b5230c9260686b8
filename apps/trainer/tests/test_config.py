from pathlib import Path

import pytest

from rstar_trainer.config import ConfigError, PolicySftConfig, parse_config


def test_flags_with_defaults() -> None:
    config = parse_config(["--data", "d.jsonl", "--out", "models/p", "--method", "full", "--lora-r", "8"])
    assert (config.data, config.out, config.method, config.lora_r) == ("d.jsonl", "models/p", "full", 8)
    assert config.base == "smollm2-135m"
    assert config.lora_target_modules == ["all-linear"]
    assert config.dtype == "auto"
    assert config.peak_learning_rate == 5e-5


def test_yaml_gives_values_and_flags_override_them(tmp_path: Path) -> None:
    yaml_file = tmp_path / "policy.yaml"
    yaml_file.write_text(
        "data: runs/r0/sft.jsonl\nout: models/policy-r0\nmethod: lora\nlora_r: 32\nepochs: 2\n"
        "packing: true\nlora_target_modules: [q_proj, v_proj]\n",
        encoding="utf-8",
    )
    config = parse_config(["--config", str(yaml_file), "--lora_r", "4", "--no-gguf"])
    assert config.data == "runs/r0/sft.jsonl"
    assert config.lora_r == 4
    assert config.epochs == 2.0
    assert config.packing is True
    assert config.gguf is False
    assert config.lora_target_modules == ["q_proj", "v_proj"]
    assert config.peak_learning_rate == 2e-4


def test_bad_values_are_named_in_one_line() -> None:
    with pytest.raises(ConfigError, match=r"--lora_r: must be >= 1; --batch_size: must be >= 1"):
        PolicySftConfig(data="d", out="o", lora_r=0, batch_size=0)


def test_unknown_yaml_key_and_missing_file(tmp_path: Path) -> None:
    yaml_file = tmp_path / "bad.yaml"
    yaml_file.write_text("data: d\nout: o\nlearning_rat: 0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="learning_rat"):
        parse_config(["--config", str(yaml_file)])
    with pytest.raises(ConfigError, match="no such file"):
        parse_config(["--config", str(tmp_path / "absent.yaml")])


def test_the_shipped_config_parses() -> None:
    shipped = Path(__file__).resolve().parents[1] / "configs" / "policy-r0.yaml"
    config = parse_config(["--config", str(shipped), "--out", "models/policy-r0"])
    assert (config.data, config.method, config.base) == ("runs/r0/sft.jsonl", "lora", "smollm2-135m")


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse %-formats each help text: a bare percent sign once made --help fail.
    with pytest.raises(SystemExit) as exit_info:
        parse_config(["--help"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    for name in PolicySftConfig.__dataclass_fields__:
        assert f"--{name}" in printed
