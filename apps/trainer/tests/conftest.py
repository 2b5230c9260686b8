"""A tiny random Llama with a byte-level BPE tokenizer trained on the fixture texts: tests take seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

FIXTURES = Path(__file__).parent / "fixtures"
SFT_FIXTURE = FIXTURES / "sft.jsonl"
REPO_ROOT = Path(__file__).resolve().parents[3]


def fixture_texts() -> list[str]:
    records = [
        json.loads(line) for line in SFT_FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [r["prompt"] + r["completion"] for r in records]


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face directory: random LlamaForCausalLM (hidden 32, 2 layers) + its tokenizer."""
    target = tmp_path_factory.mktemp("tiny-base")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>"]
    bpe.train_from_iterator(
        fixture_texts(),
        trainers.BpeTrainer(
            vocab_size=400, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=bpe, eos_token="<|endoftext|>", pad_token="<|endoftext|>"
    )
    tokenizer.save_pretrained(str(target))
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    LlamaForCausalLM(config).save_pretrained(str(target))
    return target
