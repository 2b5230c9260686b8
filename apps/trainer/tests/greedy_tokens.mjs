// Greedy tokens of a GGUF model (and optional LoRA adapter) with node-llama-cpp, the CPU model server's engine.
// Usage: node greedy_tokens.mjs <model.gguf> <adapter.gguf|-> <prompt token ids as JSON> <n>
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const [modelPath, adapter, idsJson, n] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.disabled });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({
  contextSize: 512,
  ...(adapter === '-' ? {} : { lora: { adapters: [{ filePath: adapter }] } }),
});
const out = [];
for await (const token of context.getSequence().evaluate(JSON.parse(idsJson), { temperature: 0 })) {
  out.push(token);
  if (out.length >= Number(n)) break;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
await context.dispose();
await model.dispose();
await llama.dispose();
