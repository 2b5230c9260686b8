"""Policy SFT with TRL's SFTTrainer: loss on the completion only, LoRA (peft) or the whole model, CPU/GPU."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import torch
from datasets import Dataset
from peft import LoraConfig
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PrinterCallback,
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)
from transformers.trainer_utils import get_last_checkpoint
from trl.trainer.sft_config import SFTConfig
from trl.trainer.sft_trainer import SFTTrainer

from .base_model import BaseModel, resolve_base, workspace_root
from .config import PolicySftConfig
from .gguf_export import export_full_model, export_lora_adapter
from .sft_data import SftData, load_sft_data

MODEL_SCHEMA = "rstar.model.v1"
CHECKPOINTS = "checkpoints"
HF_DIR = "hf"
BASE_HF_DIR = "base-hf"
FULL_GGUF = "model.gguf"
ADAPTER_GGUF = "adapter.gguf"


@dataclass(frozen=True)
class Precision:
    """Weights stay fp32; bf16/fp16 are autocast (mixed precision), as TrainingArguments does it."""

    bf16: bool
    fp16: bool

    @property
    def name(self) -> str:
        return "bf16" if self.bf16 else "fp16" if self.fp16 else "fp32"


def choose_precision(dtype: str) -> Precision:
    if dtype == "auto":
        cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return Precision(bf16=cuda_bf16, fp16=False)
    return Precision(bf16=dtype == "bf16", fp16=dtype == "fp16")


def _forget_gguf_quantization(model: PreTrainedModel) -> None:
    # GGUF weights arrive dequantized, but transformers keeps the GGUF quantizer: it refuses save_pretrained
    # and fine-tuning until the quantizer is cleared, and the saved config would point back at the GGUF file.
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:
        quantizer.remove_quantization_config(model)
    setattr(model, "is_quantized", False)  # noqa: B010 (a property on some classes, a field on others)


def load_base_model(base: BaseModel) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """fp32 weights from a .gguf file (dequantized by transformers) or a Hugging Face directory."""
    if base.is_gguf:
        where, gguf = str(base.path.parent), base.path.name
        tokenizer = AutoTokenizer.from_pretrained(where, gguf_file=gguf)
        model = AutoModelForCausalLM.from_pretrained(where, gguf_file=gguf, dtype=torch.float32)
        _forget_gguf_quantization(model)
    else:
        tokenizer = AutoTokenizer.from_pretrained(str(base.path))
        model = AutoModelForCausalLM.from_pretrained(str(base.path), dtype=torch.float32)
    if not model.config.architectures:
        model.config.architectures = [type(model).__name__]
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def add_marker_tokens(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, markers: list[str]) -> int:
    """Full fine-tuning learns the step markers as single special tokens (METHOD.md §2).

    Each new token starts as the mean embedding of the tokens its text was split into before. Rows that
    start alike (transformers' default here) stay alike through a short CPU run, and with tied input and
    output embeddings the model cannot tell the markers apart: a policy trained so (141 steps) wrote
    `<end_of_code>` wherever `<code>` or `<end_of_step>` belonged.
    """
    pieces = {marker: tokenizer(marker, add_special_tokens=False).input_ids for marker in markers}
    added = int(tokenizer.add_tokens(markers, special_tokens=True))
    if not added:
        return 0
    model.resize_token_embeddings(len(tokenizer))
    tables = [marker_rows_table(model.get_input_embeddings())]
    head = model.get_output_embeddings()  # type: ignore[no-untyped-call]
    if isinstance(head, torch.nn.Module) and marker_rows_table(head) is not tables[0]:
        tables.append(marker_rows_table(head))
    with torch.no_grad():
        for marker, ids in pieces.items():
            token = tokenizer.convert_tokens_to_ids(marker)
            if isinstance(token, int) and ids and token not in ids:
                for table in tables:
                    table[token] = table[ids].mean(dim=0)
    return added


def marker_rows_table(module: torch.nn.Module) -> torch.Tensor:
    """The weight of an embedding table or of an LM head: one row per token."""
    weight = module.weight
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"{type(module).__name__} has no weight tensor")
    return weight


def to_dataset(data: SftData) -> Dataset:
    # TRL's prompt/completion format: the loss falls on the completion tokens only.
    return Dataset.from_list([{"prompt": r.prompt, "completion": r.completion} for r in data.records])


class ProgressLog(TrainerCallback):
    """One line per logging step: step, loss, tokens/s, ETA; the totals go into metadata.json."""

    def __init__(self) -> None:
        self.started = 0.0
        self.ended: float | None = None
        self.first_step = 0
        self.tokens_at_start = 0
        self.first_loss: float | None = None
        self.last_loss: float | None = None

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        self.started = time.monotonic()
        self.first_step = state.global_step  # > 0 when resuming
        self.tokens_at_start = state.num_input_tokens_seen

    def on_train_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        self.ended = time.monotonic()

    def tokens(self, state: TrainerState) -> int:
        return int(state.num_input_tokens_seen - self.tokens_at_start)

    def elapsed(self) -> float:
        # Training time only: saving the model and the GGUF export come after on_train_end.
        return (self.ended or time.monotonic()) - self.started

    def tokens_per_second(self, state: TrainerState) -> float:
        seconds = self.elapsed()
        return self.tokens(state) / seconds if seconds > 0 else 0.0

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, float] | None = None,
        **kwargs: Any,
    ) -> None:
        if not state.is_world_process_zero or logs is None or "loss" not in logs:
            return
        self.last_loss = float(logs["loss"])
        if self.first_loss is None:
            self.first_loss = self.last_loss
        done = state.global_step - self.first_step
        left = state.max_steps - state.global_step
        eta = self.elapsed() / done * left if done > 0 else 0.0
        print(
            f"step {state.global_step}/{state.max_steps}  loss {self.last_loss:.4f}  "
            f"lr {logs.get('learning_rate', 0.0):.2e}  tokens/s {self.tokens_per_second(state):.0f}  "
            f"eta {_duration(eta)}",
            flush=True,
        )


def _device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def code_version(root: Path) -> str | None:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def sft_arguments(config: PolicySftConfig, precision: Precision, out: Path) -> SFTConfig:
    return SFTConfig(
        output_dir=str(out / CHECKPOINTS),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.peak_learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=config.warmup_ratio,  # a float below 1 is a share of the steps
        max_length=config.max_seq_len,
        packing=config.packing,
        activation_checkpointing=config.activation_checkpointing,
        completion_only_loss=True,
        seed=config.seed,
        data_seed=config.seed,
        bf16=precision.bf16,
        fp16=precision.fp16,
        use_cpu=not torch.cuda.is_available(),
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        include_num_input_tokens_seen="non_padding",
        disable_tqdm=True,
        report_to="none",
        dataloader_num_workers=0,
    )


def lora_config(config: PolicySftConfig) -> LoraConfig:
    targets: str | list[str] = (
        "all-linear" if config.lora_target_modules == ["all-linear"] else config.lora_target_modules
    )
    return LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )


def save_base_config(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, target: Path) -> None:
    """The base's config and tokenizer (no weights): what llama.cpp's LoRA converter needs from the base."""
    target.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))


@dataclass
class PreparedRun:
    """Everything a run needs before trainer.train(): tests inspect it (labels, batches) without training."""

    config: PolicySftConfig
    out: Path
    root: Path
    base: BaseModel
    data: SftData
    precision: Precision
    tokenizer: PreTrainedTokenizerBase
    added_tokens: int
    trainer: SFTTrainer
    progress: ProgressLog


@dataclass
class PolicyRun:
    metadata: dict[str, Any]
    # The trained model in memory (a PeftModel for LoRA).
    model: Any
    tokenizer: PreTrainedTokenizerBase


def prepare_run(config: PolicySftConfig) -> PreparedRun:
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    out = Path(config.out).resolve()
    root = workspace_root()
    base = resolve_base(config.base)
    data = load_sft_data(config.data, config.limit, config.seed)
    precision = choose_precision(config.dtype)
    print(
        f"base {base.name} ({base.path}), {config.method}, {len(data.records)} of {data.total} records, "
        f"{precision.name} on {_device()}, threads {torch.get_num_threads()}",
        flush=True,
    )
    torch.manual_seed(config.seed)
    model, tokenizer = load_base_model(base)
    added_tokens = add_marker_tokens(model, tokenizer, data.special_tokens) if config.method == "full" else 0
    if config.method == "lora":
        save_base_config(model, tokenizer, out / BASE_HF_DIR)
    progress = ProgressLog()
    trainer = SFTTrainer(
        model=model,
        args=sft_arguments(config, precision, out),
        train_dataset=to_dataset(data),
        processing_class=tokenizer,
        peft_config=lora_config(config) if config.method == "lora" else None,
        callbacks=[progress],
    )
    # ProgressLog prints the lines; the default printer would repeat each as a dict.
    trainer.remove_callback(PrinterCallback)
    return PreparedRun(config, out, root, base, data, precision, tokenizer, added_tokens, trainer, progress)


def train_policy(config: PolicySftConfig) -> PolicyRun:
    """Trains (resuming from out/checkpoints), writes out/hf, the GGUF export and out/metadata.json."""
    run = prepare_run(config)
    trainer, progress, out = run.trainer, run.progress, run.out
    checkpoints = out / CHECKPOINTS
    resume_from: str | None = None
    if config.resume and checkpoints.is_dir():
        resume_from = get_last_checkpoint(str(checkpoints))  # type: ignore[no-untyped-call]
    if resume_from:
        print(f"resuming from {resume_from}", flush=True)
    result = trainer.train(resume_from_checkpoint=resume_from)
    state = trainer.state

    metadata: dict[str, Any] = {}
    if trainer.is_world_process_zero():
        hf_dir = out / HF_DIR
        cast(PreTrainedModel, trainer.model).save_pretrained(str(hf_dir))
        run.tokenizer.save_pretrained(str(hf_dir))
        gguf_file: str | None = None
        if config.gguf:
            print(f"exporting GGUF ({config.gguf_outtype})", flush=True)
            if config.method == "full":
                gguf_file = export_full_model(hf_dir, out / FULL_GGUF, config.gguf_outtype, run.root).name
            else:
                gguf_file = export_lora_adapter(
                    hf_dir, out / BASE_HF_DIR, out / ADAPTER_GGUF, config.gguf_outtype, run.root
                ).name
        metrics = {
            "trainLoss": float(result.training_loss),
            "firstLoss": progress.first_loss,
            "finalLoss": progress.last_loss,
            "steps": int(state.global_step),
            "epochs": float(state.epoch or 0.0),
            "records": len(run.data.records),
            "tokens": progress.tokens(state),
            "tokensTotal": int(state.num_input_tokens_seen),
            "tokensPerSecond": round(progress.tokens_per_second(state), 2),
            "wallSeconds": round(progress.elapsed(), 2),
            "resumedFrom": Path(resume_from).name if resume_from else None,
            "threads": torch.get_num_threads(),
            "device": _device(),
            "precision": run.precision.name,
        }
        metadata = build_metadata(run, code_version(run.root), metrics, gguf_file)
        (out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        print(
            f"done: {state.global_step} steps, loss {result.training_loss:.4f}, "
            f"{metrics['tokensPerSecond']} tokens/s, wrote {out}",
            flush=True,
        )
    return PolicyRun(metadata, trainer.model, run.tokenizer)


def build_metadata(
    run: PreparedRun, version: str | None, metrics: dict[str, Any], gguf_file: str | None
) -> dict[str, Any]:
    config, base, data = run.config, run.base, run.data
    manifest = data.manifest or {}
    return {
        "schema": MODEL_SCHEMA,
        "name": config.name or run.out.name,
        "kind": "policy",
        "round": config.round if config.round is not None else (data.round or 0),
        "base": base.name,
        "baseGguf": str(base.path) if base.is_gguf else None,
        "method": config.method,
        "promptStyle": "sft",
        "datasets": [
            {
                "name": manifest.get("name"),
                "path": str(data.path),
                "sha256": data.sha256,
                "records": data.total,
                "used": len(data.records),
                "manifest": data.manifest,
            }
        ],
        "config": {
            **asdict(config),
            "learningRate": config.peak_learning_rate,
            "precision": run.precision.name,
        },
        "tokenizer": {"addedSpecialTokens": run.added_tokens, "specialTokens": data.special_tokens},
        "files": {
            "hf": HF_DIR,
            "gguf": gguf_file,
            "baseHf": BASE_HF_DIR if config.method == "lora" else None,
        },
        "codeVersion": version,
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "metrics": metrics,
    }
