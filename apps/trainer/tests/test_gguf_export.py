"""The real base (SmolLM2-135M from the shipped GGUF): train a step, export GGUF, and check that llama.cpp
(node-llama-cpp, as the CPU model server runs it) decodes the same greedy tokens as transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import torch

from rstar_trainer.config import PolicySftConfig
from rstar_trainer.trainer import train_policy

from .conftest import REPO_ROOT, SFT_FIXTURE

BASE_GGUF = REPO_ROOT / "models" / "smollm2-135m-instruct.Q4_1.gguf"
NODE_LLAMA_CPP = REPO_ROOT / "node_modules" / "node-llama-cpp"
GREEDY_SCRIPT = Path(__file__).parent / "greedy_tokens.mjs"
PROMPT = (
    "<|user|>:\nTom has 3 apples and buys 4 more. How many apples does he have?\n<|assistant|>: Let's think"
)
NEW_TOKENS = 6

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not BASE_GGUF.is_file(), reason=f"{BASE_GGUF} is not installed (tools/setup installs it)"
    ),
    pytest.mark.skipif(not NODE_LLAMA_CPP.is_dir(), reason="node_modules/node-llama-cpp is missing (npm ci)"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


def real_config(out: Path, method: str) -> PolicySftConfig:
    return PolicySftConfig(
        data=str(SFT_FIXTURE),
        out=str(out),
        base="smollm2-135m",
        method=method,  # type: ignore[arg-type]
        limit=2,
        batch_size=2,
        max_steps=1,
        max_seq_len=128,
        learning_rate=1e-3,
        warmup_ratio=0.0,
        threads=2,
        gguf_outtype="f32",
    )


def transformers_greedy(model: Any, ids: list[int]) -> list[int]:
    model.eval()
    with torch.no_grad():
        generated = model.generate(
            input_ids=torch.tensor([ids]),
            max_new_tokens=NEW_TOKENS,
            do_sample=False,
            min_new_tokens=NEW_TOKENS,
        )
    return [int(t) for t in generated[0, len(ids) :]]


def llama_cpp_greedy(model: Path, adapter: Path | None, ids: list[int]) -> list[int]:
    result = subprocess.run(
        [
            "node",
            str(GREEDY_SCRIPT),
            str(model),
            str(adapter) if adapter else "-",
            json.dumps(ids),
            str(NEW_TOKENS),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,  # a guard against a hung decoder, not a speed bound
    )
    tokens: list[int] = json.loads(result.stdout.strip().splitlines()[-1])
    return tokens


@pytest.mark.parametrize("method", ["full", "lora"])
def test_exported_gguf_decodes_like_transformers(tmp_path: Path, method: str) -> None:
    out = tmp_path / f"policy-{method}"
    run = train_policy(real_config(out, method))
    gguf_name = "adapter.gguf" if method == "lora" else "model.gguf"
    assert run.metadata["files"]["gguf"] == gguf_name
    assert (out / gguf_name).read_bytes()[:4] == b"GGUF"
    assert run.metadata["baseGguf"] == str(BASE_GGUF)

    ids = [int(i) for i in run.tokenizer(PROMPT).input_ids]
    expected = transformers_greedy(run.model, ids)
    if method == "lora":
        got = llama_cpp_greedy(BASE_GGUF, out / "adapter.gguf", ids)
    else:
        got = llama_cpp_greedy(out / "model.gguf", None, ids)
    assert got == expected
