"""The trainer on a tiny random Llama: labels, falling loss, saved and reloaded weights, resume, metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from rstar_trainer.config import PolicySftConfig
from rstar_trainer.sft_data import file_sha256, load_sft_data
from rstar_trainer.trainer import add_marker_tokens, marker_rows_table, prepare_run, train_policy

from .conftest import SFT_FIXTURE

MARKERS = ["<code>", "<end_of_step>", "<end_of_answer>"]


def tiny_config(base: Path, out: Path, **overrides: Any) -> PolicySftConfig:
    values: dict[str, Any] = {
        "data": str(SFT_FIXTURE),
        "out": str(out),
        "base": str(base),
        "method": "full",
        "batch_size": 4,
        "max_steps": 4,
        "learning_rate": 5e-3,
        "warmup_ratio": 0.0,
        "save_steps": 2,
        "threads": 1,
        "gguf": False,
    }
    values.update(overrides)
    return PolicySftConfig(**values)


def logits_of(model: Any, tokenizer: Any) -> torch.Tensor:
    ids = tokenizer("<|user|>:\nTom has 3 apples.\n<|assistant|>:", return_tensors="pt").input_ids
    model.eval()
    with torch.no_grad():
        logits: torch.Tensor = model(input_ids=ids).logits
        return logits


def test_loss_falls_on_the_completion_only(tiny_base: Path, tmp_path: Path) -> None:
    run = prepare_run(tiny_config(tiny_base, tmp_path / "p"))
    data = load_sft_data(str(SFT_FIXTURE))
    dataset = run.trainer.train_dataset
    assert isinstance(dataset, Dataset)
    batch = run.trainer.data_collator([dataset[i] for i in range(len(dataset))])
    for i, record in enumerate(data.records):
        prompt_len = len(run.tokenizer(record.prompt).input_ids)
        labels = batch["labels"][i]
        ids = batch["input_ids"][i]
        assert (labels[:prompt_len] == -100).all()
        real = batch["attention_mask"][i].bool()
        completion = labels[prompt_len:][real[prompt_len:]]
        assert len(completion) > 0 and (completion == ids[prompt_len:][real[prompt_len:]]).all()


def test_new_marker_tokens_start_from_their_texts_embeddings(tiny_base: Path) -> None:
    model = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_base))
    pieces = {m: tokenizer(m, add_special_tokens=False).input_ids for m in MARKERS}
    assert add_marker_tokens(model, tokenizer, MARKERS) == len(MARKERS)
    table = marker_rows_table(model.get_input_embeddings())
    rows = []
    for marker in MARKERS:
        token = tokenizer.convert_tokens_to_ids(marker)
        assert torch.allclose(table[token], table[pieces[marker]].mean(dim=0))
        rows.append(table[token])
    # Distinct rows (the vocabulary mean would make them all alike), and the output side ties to them.
    similarity = torch.nn.functional.cosine_similarity(rows[0], rows[1], dim=0)
    assert similarity < 0.99
    head = model.get_output_embeddings()  # type: ignore[no-untyped-call]
    assert marker_rows_table(head).data_ptr() == table.data_ptr()


def test_full_training_saves_reloadable_weights_and_metadata(tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "policy-r0"
    run = train_policy(tiny_config(tiny_base, out, max_steps=30, save_steps=30))
    metrics = run.metadata["metrics"]
    assert metrics["finalLoss"] < 0.7 * metrics["firstLoss"]
    assert metrics["steps"] == 30 and metrics["tokens"] > 0 and metrics["tokensPerSecond"] > 0

    # The step markers are single special tokens of the saved tokenizer.
    tokenizer = AutoTokenizer.from_pretrained(str(out / "hf"))
    for marker in MARKERS:
        assert len(tokenizer(marker, add_special_tokens=False).input_ids) == 1

    expected = logits_of(run.model, run.tokenizer)
    for saved in (out / "hf", out / "checkpoints" / "checkpoint-30"):
        reloaded = AutoModelForCausalLM.from_pretrained(str(saved), dtype=torch.float32)
        assert torch.allclose(logits_of(reloaded, tokenizer), expected, atol=1e-5)

    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata == run.metadata
    assert {k: metadata[k] for k in ("schema", "name", "kind", "round", "method", "promptStyle")} == {
        "schema": "rstar.model.v1",
        "name": "policy-r0",
        "kind": "policy",
        "round": 0,
        "method": "full",
        "promptStyle": "sft",
    }
    assert metadata["base"] == str(tiny_base) and metadata["baseGguf"] is None
    assert metadata["datasets"][0]["sha256"] == file_sha256(SFT_FIXTURE)
    assert metadata["datasets"][0]["manifest"]["name"] == "fixture"
    assert metadata["config"]["max_steps"] == 30 and metadata["config"]["learningRate"] == 5e-3
    assert metadata["tokenizer"]["addedSpecialTokens"] == 9
    assert isinstance(metadata["codeVersion"], str) and len(metadata["codeVersion"]) >= 40
    assert metadata["metrics"]["resumedFrom"] is None


def test_a_rerun_resumes_from_the_last_checkpoint(tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    first = train_policy(tiny_config(tiny_base, out, max_steps=2))
    assert first.metadata["metrics"]["steps"] == 2
    second = train_policy(tiny_config(tiny_base, out, max_steps=4))
    assert second.metadata["metrics"]["resumedFrom"] == "checkpoint-2"
    assert second.metadata["metrics"]["steps"] == 4
    assert (out / "checkpoints" / "checkpoint-4").is_dir()
    # Without --resume it starts over.
    third = train_policy(tiny_config(tiny_base, out, max_steps=1, resume=False))
    assert third.metadata["metrics"]["resumedFrom"] is None


def test_lora_keeps_markers_as_text_and_saves_an_adapter(tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "lora"
    run = train_policy(tiny_config(tiny_base, out, method="lora", lora_r=4, lora_alpha=8, max_steps=3))
    assert run.metadata["method"] == "lora" and run.metadata["tokenizer"]["addedSpecialTokens"] == 0
    assert (out / "hf" / "adapter_config.json").is_file()
    assert (out / "base-hf" / "config.json").is_file()
    tokenizer = AutoTokenizer.from_pretrained(str(out / "hf"))
    assert len(tokenizer("<end_of_step>", add_special_tokens=False).input_ids) > 1

    base = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, str(out / "hf"))
    assert torch.allclose(logits_of(reloaded, tokenizer), logits_of(run.model, run.tokenizer), atol=1e-5)


def test_packing_puts_several_records_in_one_sequence(tiny_base: Path, tmp_path: Path) -> None:
    run = prepare_run(tiny_config(tiny_base, tmp_path / "packed", packing=True, max_seq_len=256))
    dataset = run.trainer.train_dataset
    assert isinstance(dataset, Dataset)
    assert len(dataset) < 8  # 8 records of ~60 tokens fit in fewer 256-token rows
    trained = train_policy(
        tiny_config(tiny_base, tmp_path / "packed", packing=True, max_seq_len=256, max_steps=2)
    )
    assert trained.metadata["metrics"]["steps"] == 2 and trained.metadata["config"]["packing"] is True
