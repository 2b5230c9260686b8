// The real base SmolLM2-135M: its vocabulary has no step markers as special tokens, so prompts with markers tokenize
// exactly as plain text did before (special-token parsing changes nothing for them) and generated text is not rewritten.
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { sftPrompt } from '@rstar/step-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarkerTokens, resolveModel } from '../src/index.js';

let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
  model = await llama.loadModel({ modelPath: resolveModel('smollm2-135m').path });
}, 60_000);

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

describe('step markers with the base smollm2-135m', () => {
  const text = `${sftPrompt('What is 2 + 3?')}\n<code>\n# Step 1: add.\nx = 2 + 3\n<end_of_step>\nprint(x)\n<end_of_code>\n<output>5<end_of_output>\n<answer>\\boxed{5}<end_of_answer>`;

  it('holds no marker as a special token', () => {
    expect(MarkerTokens.of(model).size).toBe(0);
  });

  it('tokenizes marker text as plain text whether or not special tokens are parsed', () => {
    const parsed = model.tokenize(text, true);
    expect(parsed).toEqual(model.tokenize(text, false));
    expect(parsed.some((t) => model.isSpecialToken(t))).toBe(false);
    expect(model.tokenize('<end_of_step>', true).length).toBeGreaterThan(1);
  });

  it('decodes generated tokens exactly as node-llama-cpp does', () => {
    const tokens = model.tokenize(text, true);
    expect(MarkerTokens.of(model).decode(model, tokens)).toBe(model.detokenize(tokens));
    expect(model.detokenize(tokens)).toBe(text);
  });
});

describe('special tokens in generated text, with smollm2-135m', () => {
  it('restores a special token as its text where node-llama-cpp drops it (<|im_start|> stands in for an SFT marker)', () => {
    const markers = MarkerTokens.of(model, ['<|im_start|>', '<code>']);
    expect(markers.markers).toEqual(['<|im_start|>']); // <code> is plain text in this vocabulary
    const text = 'x = 1<|im_start|>assistant\nprint(x)';
    const tokens = model.tokenize(text, true);
    expect(model.detokenize(tokens)).toBe('x = 1assistant\nprint(x)');
    expect(markers.decode(model, tokens)).toBe(text);
  });
});
