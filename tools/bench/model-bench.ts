// Throughput of the embedded CPU policy (LlamaCompletionEngine, the engine behind apps/model-server):
// decode tokens/s for 1 and 4 parallel candidates, prefill tokens/s, and time to first token of a ~480-token
// prompt cold vs. with its prefix cached (a second prompt sharing the prefix, with another question at the end).
//   nice npx tsx --tsconfig tsconfig.base.json tools/bench/model-bench.ts [--gemma] [--threads N] [--tokens N]
//     [--model NAME|PATH] [--flash-attention] [--no-share-prompt] [--top-k K]
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { fewShotPrompt } from '@rstar/step-format';
import { LlamaCompletionEngine, type LlamaEngineOptions } from '@rstar/model-server';
import type { CompletionRequest } from '@rstar/clients';

interface BenchOptions {
  model: string[];
  gemma: boolean;
  threads: number;
  tokens: number;
  flashAttention: boolean;
  sharePrompt: boolean;
  topK: number;
}

interface Row {
  model: string;
  metric: string;
  value: string;
  detail: string;
}

const program = new Command()
  .name('model-bench')
  .option('--model <name...>', 'catalog name(s) or .gguf path(s)', ['smollm2-135m'])
  .option('--gemma', 'also bench gemma3-270m', false)
  .option('--threads <n>', 'CPU threads', (v) => Number(v), availableParallelism())
  .option('--tokens <n>', 'tokens decoded per candidate', (v) => Number(v), 64)
  .option('--flash-attention', 'enable flash attention', false)
  .option('--no-share-prompt', 'evaluate the prompt in every candidate sequence instead of copying it')
  .option('--top-k <k>', 'top-k for sampling (0: off, the OpenAI default)', (v) => Number(v), 0);
program.parse();
const options = program.opts<BenchOptions>();
const models = options.gemma ? [...options.model, 'gemma3-270m'] : options.model;

const question = (n: number): string =>
  `A train travels ${40 + n} km in the first hour and ${55 + n} km in the second hour. What is its average speed in km/h?`;

/** A ~480-token prefix of the real round-1 prompt (instruction + first demonstration), cut at a line end. */
function promptPrefix(engine: LlamaCompletionEngine, targetTokens: number): string {
  const lines = fewShotPrompt(question(0)).split('\n');
  let prefix = '';
  for (const line of lines) {
    const next = `${prefix}${line}\n`;
    if (engine.countPromptTokens(next) > targetTokens) break;
    prefix = next;
  }
  return prefix;
}

const sampling = (prompt: string, n: number, maxTokens: number): CompletionRequest => ({
  prompt,
  n,
  temperature: 0.8,
  topP: 0.95,
  maxTokens,
  stop: [],
  includeStopStrInOutput: false,
  seed: 7,
});

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

async function benchModel(model: string): Promise<Row[]> {
  const engineOptions: LlamaEngineOptions = {
    model,
    threads: options.threads,
    parallel: 4,
    flashAttention: options.flashAttention,
    sharePromptState: options.sharePrompt,
    topK: options.topK,
  };
  const load = await timed(() => LlamaCompletionEngine.load(engineOptions));
  const engine = load.value;
  const rows: Row[] = [];
  const add = (metric: string, value: string, detail: string): void => {
    rows.push({ model: engine.modelName, metric, value, detail });
  };
  try {
    const info = engine.info();
    add(
      'load',
      `${(load.ms / 1000).toFixed(1)} s`,
      `threads ${info.threads}, parallel ${info.parallel}, ctx ${info.contextSize}/seq, flash attention ${info.flashAttention}, prompt sharing ${info.sharePromptState}, top-k ${info.topK}`,
    );
    // Warm-up: first decode allocates compute buffers.
    await engine.complete(sampling('Hello', 1, 4));

    // Cold prompt: a nonce at the start defeats every cached prefix.
    const prefix = `Run ${Date.now()}.\n${promptPrefix(engine, 400)}`;
    const promptA = `${prefix}<|user|>:\n${question(1)}\n<|assistant|>: Let's think step by step and solve the problem with code.\n<code>\n`;
    const promptB = `${prefix}<|user|>:\n${question(2)}\n<|assistant|>: Let's think step by step and solve the problem with code.\n<code>\n`;
    const cold = await timed(() => engine.complete(sampling(promptA, 1, 1)));
    const promptTokens = cold.value.usage.promptTokens;
    const evaluated = promptTokens - cold.value.usage.cachedPromptTokens;
    add('prefill', `${((evaluated / cold.ms) * 1000).toFixed(0)} tok/s`, `${evaluated} prompt tokens evaluated in ${cold.ms.toFixed(0)} ms`);
    add('TTFT cold', `${cold.ms.toFixed(0)} ms`, `${promptTokens}-token prompt, nothing cached`);
    const warm = await timed(() => engine.complete(sampling(promptB, 1, 1)));
    const cached = warm.value.usage.cachedPromptTokens;
    add(
      'TTFT prefix cached',
      `${warm.ms.toFixed(0)} ms`,
      `${warm.value.usage.promptTokens}-token prompt, ${cached} cached, ${warm.value.usage.promptTokens - cached} evaluated (${(cold.ms / warm.ms).toFixed(1)}x faster)`,
    );

    // Decode: the prompt is cached in one sequence (n=1); n=4 first pays for the prompt on the other three.
    const one = await timed(() => engine.complete(sampling(promptB, 1, options.tokens)));
    const oneTokens = one.value.usage.completionTokens;
    add('decode n=1', `${((oneTokens / one.ms) * 1000).toFixed(1)} tok/s`, `${oneTokens} tokens in ${one.ms.toFixed(0)} ms`);
    await engine.complete(sampling(promptB, 4, 1)); // put the prompt in all four sequences
    const four = await timed(() => engine.complete(sampling(promptB, 4, options.tokens)));
    const fourTokens = four.value.usage.completionTokens;
    add('decode n=4', `${((fourTokens / four.ms) * 1000).toFixed(1)} tok/s`, `${fourTokens} tokens (4 candidates) in ${four.ms.toFixed(0)} ms`);

    // A whole expansion as MCTS issues it: 4 candidates of a prompt that only one sequence has cached.
    const promptC = `${prefix}<|user|>:\n${question(3)}\n<|assistant|>: Let's think step by step and solve the problem with code.\n<code>\n`;
    const expansion = await timed(() => engine.complete(sampling(promptC, 4, options.tokens)));
    const u = expansion.value.usage;
    add(
      'expansion n=4',
      `${(expansion.ms / 1000).toFixed(2)} s`,
      `new question on the shared prefix: ${u.completionTokens} tokens, ${((u.completionTokens / expansion.ms) * 1000).toFixed(1)} tok/s overall`,
    );
    // Deeper in a tree: the same question with 300+ tokens of steps that no sequence holds yet.
    const steps = Array.from({ length: 8 }, (_, i) => `# Step ${i + 1}: compute the distance covered in part ${i + 1} of the trip\npart_${i + 1} = ${40 + i} * ${i + 2}\n<end_of_step>\n`).join('');
    const deep = await timed(() => engine.complete(sampling(promptC + steps, 4, options.tokens)));
    const d = deep.value.usage;
    add(
      'deep expansion n=4',
      `${(deep.ms / 1000).toFixed(2)} s`,
      `${d.promptTokens}-token prompt, ${d.promptTokens - d.cachedPromptTokens} new: ${d.completionTokens} tokens, ${((d.completionTokens / deep.ms) * 1000).toFixed(1)} tok/s overall`,
    );
    const stats = engine.stats();
    add('prompt tokens', `${stats.cachedPromptTokens}/${stats.promptTokens} reused`, `${stats.copiedPromptTokens} of them copied from a sibling candidate`);
  } finally {
    await engine.close();
  }
  return rows;
}

const all: Row[] = [];
for (const model of models) all.push(...(await benchModel(model)));
console.log('| model | metric | value | detail |');
console.log('|---|---|---|---|');
for (const r of all) console.log(`| ${r.model} | ${r.metric} | ${r.value} | ${r.detail} |`);
