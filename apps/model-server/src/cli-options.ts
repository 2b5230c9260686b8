import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MODEL_NAME, MODEL_CATALOG, parseCpuModelServerConfig, type CpuModelServerConfig } from '@rstar/model-server';

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

interface RawOptions {
  model: string;
  host: string;
  port: number;
  threads?: number;
  parallel: number;
  contextSize: number;
  gpu: 'off' | 'auto';
  flashAttention: boolean;
  topK: number;
}

/** The command line of `model-server`; commander prints help and usage errors itself (exitOverride lets us exit). */
export function buildProgram(): Command {
  const names = MODEL_CATALOG.map((m) => `${m.name}${m.name === DEFAULT_MODEL_NAME ? ' (default)' : ''}`).join(', ');
  return new Command('model-server')
    .description('Serves a small GGUF model on the CPU through the OpenAI-compatible completions API (POST /v1/completions).')
    .option('--model <name|path>', `catalog model (${names}), a .gguf path, a trained model directory (metadata.json + model.gguf or adapter.gguf), or the name of a registered model (looked up in RSTAR_DATABASE_URL, else .rstar/rstar.db, and policies/)`, DEFAULT_MODEL_NAME)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', integer('--port', 0, 65_535), 8081)
    .option('--threads <n>', `CPU threads (default and maximum: the ${availableParallelism()} cores available)`, integer('--threads', 1, 1024))
    .option('--parallel <n>', 'sequences decoded together; more requests wait', integer('--parallel', 1, 64), 4)
    .option('--context-size <tokens>', 'context per sequence (prompt + generation)', integer('--context-size', 256, 131_072), 4096)
    .addOption(new Option('--gpu <mode>', 'use a GPU build when one loads').choices(['off', 'auto']).default('off'))
    .option('--flash-attention', 'use flash attention (slower on CPU, and cache-dependent results)', false)
    .option('--top-k <k>', 'top-k for requests that set none (0: off, as in the OpenAI API)', integer('--top-k', 0, 1_000_000), 0)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
}

/** Parses argv (as `process.argv`) into a validated server config. */
export function parseArgs(argv: readonly string[], program: Command = buildProgram()): CpuModelServerConfig {
  program.parse(argv);
  const o = program.opts<RawOptions>();
  return parseCpuModelServerConfig({
    model: o.model,
    host: o.host,
    port: o.port,
    parallel: o.parallel,
    contextSize: o.contextSize,
    gpu: o.gpu,
    flashAttention: o.flashAttention,
    topK: o.topK,
    ...(o.threads === undefined ? {} : { threads: o.threads }),
  });
}
