"""The policy SFT configuration: one dataclass, read from flags or a YAML file (flags override YAML)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import yaml
from transformers.hf_argparser import DataClassType
from trl.scripts.utils import TrlParser


class ConfigError(ValueError):
    """A configuration that cannot train: the message is one line naming the option."""


Method = Literal["lora", "full"]
Dtype = Literal["auto", "fp32", "bf16", "fp16"]
GgufOuttype = Literal["f32", "f16", "bf16", "q8_0", "auto"]


@dataclass
class PolicySftConfig:
    data: str = field(
        metadata={"help": "SFT JSONL (schema rstar.sft.v1); its sft.manifest.json is read if beside it"}
    )
    out: str = field(
        metadata={"help": "output model directory (metadata.json, hf/, model.gguf or adapter.gguf)"}
    )
    base: str = field(
        default="smollm2-135m",
        metadata={
            "help": "base model: a catalog name (smollm2-135m, gemma3-270m), a .gguf file or a HF directory"
        },
    )
    name: str | None = field(default=None, metadata={"help": "model name (default: the basename of --out)"})
    round: int | None = field(
        default=None, metadata={"help": "self-evolution round (default: the dataset's)"}
    )
    method: Method = field(default="lora", metadata={"help": "lora (peft adapter) or full fine-tuning"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha"})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout"})
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["all-linear"],
        metadata={"help": "modules LoRA adapts (default: all linear layers)"},
    )
    learning_rate: float | None = field(
        default=None, metadata={"help": "peak learning rate (default 2e-4 LoRA, 5e-5 full)"}
    )
    epochs: float = field(default=1.0, metadata={"help": "passes over the data"})
    max_steps: int = field(
        default=-1, metadata={"help": "stop after this many optimizer steps (-1: by epochs)"}
    )
    batch_size: int = field(default=4, metadata={"help": "sequences per device per step"})
    grad_accum: int = field(default=1, metadata={"help": "gradient accumulation steps"})
    warmup_ratio: float = field(
        default=0.03, metadata={"help": "share of steps spent warming the learning rate up"}
    )
    max_seq_len: int = field(
        default=1024, metadata={"help": "tokens per sequence (longer ones are truncated)"}
    )
    packing: bool = field(default=False, metadata={"help": "pack several records per sequence (no padding)"})
    activation_checkpointing: bool = field(
        default=False,
        # argparse %-formats help texts: a percent sign is written %%.
        metadata={"help": "recompute activations in the backward pass: less memory, ~30%% more compute"},
    )
    limit: int | None = field(default=None, metadata={"help": "train on a seeded random subset of N records"})
    seed: int = field(default=0, metadata={"help": "seed of the subset, initialisation and data order"})
    threads: int | None = field(
        default=None, metadata={"help": "CPU threads for torch (default: torch's choice)"}
    )
    dtype: Dtype = field(default="auto", metadata={"help": "auto: bf16 on CUDA, fp32 on CPU"})
    save_steps: int = field(
        default=50, metadata={"help": "checkpoint every N steps (kept under out/checkpoints)"}
    )
    save_total_limit: int = field(default=2, metadata={"help": "checkpoints kept"})
    logging_steps: int = field(default=1, metadata={"help": "progress line every N steps"})
    resume: bool = field(
        default=True, metadata={"help": "resume from the last checkpoint in out/ if there is one"}
    )
    gguf: bool = field(default=True, metadata={"help": "export model.gguf (full) or adapter.gguf (LoRA)"})
    gguf_outtype: GgufOuttype = field(default="f16", metadata={"help": "GGUF tensor type"})

    def __post_init__(self) -> None:
        problems: list[str] = []

        def need(ok: bool, text: str) -> None:
            if not ok:
                problems.append(text)

        need(self.data.strip() != "", "--data: must be a path")
        need(self.out.strip() != "", "--out: must be a path")
        need(self.lora_r >= 1, "--lora_r: must be >= 1")
        need(self.lora_alpha >= 1, "--lora_alpha: must be >= 1")
        need(0 <= self.lora_dropout < 1, "--lora_dropout: must be in [0, 1)")
        need(len(self.lora_target_modules) > 0, "--lora_target_modules: name at least one module")
        need(self.learning_rate is None or self.learning_rate > 0, "--learning_rate: must be > 0")
        need(self.epochs > 0, "--epochs: must be > 0")
        need(self.max_steps == -1 or self.max_steps >= 1, "--max_steps: must be >= 1 (or -1)")
        need(self.batch_size >= 1, "--batch_size: must be >= 1")
        need(self.grad_accum >= 1, "--grad_accum: must be >= 1")
        need(0 <= self.warmup_ratio < 1, "--warmup_ratio: must be in [0, 1)")
        need(self.max_seq_len >= 16, "--max_seq_len: must be >= 16")
        need(self.limit is None or self.limit >= 1, "--limit: must be >= 1")
        need(self.threads is None or self.threads >= 1, "--threads: must be >= 1")
        need(self.save_steps >= 1, "--save_steps: must be >= 1")
        need(self.save_total_limit >= 1, "--save_total_limit: must be >= 1")
        need(self.logging_steps >= 1, "--logging_steps: must be >= 1")
        need(self.round is None or self.round >= 0, "--round: must be >= 0")
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def peak_learning_rate(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        # LoRA adapters start at zero and need a larger step than the whole model.
        return 2e-4 if self.method == "lora" else 5e-5


def parse_config(argv: Sequence[str] | None = None) -> PolicySftConfig:
    """Flags, or `--config file.yaml` (keys are the flag names); flags given beside it override the file."""
    description = "Supervised fine-tuning of an rStar policy on SFT traces"
    parser = TrlParser([cast(DataClassType, PolicySftConfig)], description=description)
    try:
        (config,) = parser.parse_args_and_config(None if argv is None else list(argv))
    except FileNotFoundError as error:
        raise ConfigError(f"--config: {error.filename}: no such file") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"--config: not valid YAML: {str(error).splitlines()[0]}") from error
    except ValueError as error:
        if isinstance(error, ConfigError):
            raise
        raise ConfigError(str(error).splitlines()[0]) from error
    if not isinstance(config, PolicySftConfig):
        raise ConfigError("internal: the parser returned no configuration")
    return config
