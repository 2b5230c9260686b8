import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findCatalogModel, isModelDirectory, ModelNotFoundError, resolveModel } from '@rstar/model-server';
import { venvPython, workspaceRoot } from '@rstar/workspace';
import { Option, type Command } from 'commander';
import { CliUsageError, numberOption } from './cli-errors.js';
import { chooseDatabaseUrl, parseDatabaseOption } from './job-database.js';
import { databaseOption } from './jobs.command.js';
import { registerTrainedModel } from './model-registry.js';

/** The Python trainer (apps/trainer); its flags are the dash forms of PolicySftConfig's fields. */
const TRAINER_MODULE = 'rstar_trainer';

export interface TrainPolicyOptions {
  data?: string;
  base?: string;
  out: string;
  method?: 'lora' | 'full';
  config?: string;
  name?: string;
  round?: number;
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  gradAccum?: number;
  lr?: number;
  loraR?: number;
  loraAlpha?: number;
  maxSeqLen?: number;
  packing?: boolean;
  limit?: number;
  seed?: number;
  threads?: number;
  dtype?: string;
  saveSteps?: number;
  resume: boolean;
  gguf: boolean;
  ggufOuttype?: string;
  database?: string;
  store: boolean;
}

type IntegerOption = 'round' | 'maxSteps' | 'batchSize' | 'gradAccum' | 'loraR' | 'loraAlpha' | 'maxSeqLen' | 'limit' | 'seed' | 'threads' | 'saveSteps';

/** Integer options: their flag and smallest value (max-steps also takes -1: "by epochs"). */
const INTEGERS: Record<IntegerOption, [flag: string, min: number]> = {
  round: ['--round', 0],
  maxSteps: ['--max-steps', 1],
  batchSize: ['--batch-size', 1],
  gradAccum: ['--grad-accum', 1],
  loraR: ['--lora-r', 1],
  loraAlpha: ['--lora-alpha', 1],
  maxSeqLen: ['--max-seq-len', 16],
  limit: ['--limit', 1],
  seed: ['--seed', 0],
  threads: ['--threads', 1],
  saveSteps: ['--save-steps', 1],
};

export function registerTrainCommand(program: Command): void {
  const train = program.command('train').description('Train models on rStar data (Python trainer in the project venv)');
  train
    .command('policy')
    .description('Supervised fine-tuning of a policy on SFT traces (LoRA or full), with a GGUF export; registers the model')
    .option('--data <path>', 'SFT traces (sft.jsonl, schema rstar.sft.v1), e.g. runs/r0/sft.jsonl')
    .option('--base <model>', 'base model: smollm2-135m, gemma3-270m, a .gguf file or a Hugging Face directory (default: smollm2-135m)')
    .requiredOption('--out <dir>', 'model directory to write (metadata.json, hf/, model.gguf or adapter.gguf), e.g. models/policy-r0')
    .addOption(new Option('--method <method>', 'lora: an adapter over the unchanged base; full: the whole model, markers as special tokens (default: lora)').choices(['lora', 'full']))
    .option('--config <file.yaml>', "a YAML file of the trainer's options (its keys are the flag names); flags given here override it")
    .option('--name <name>', 'model name (default: the directory name of --out)')
    .option('--round <n>', "self-evolution round (default: the dataset's)", numberOption('--round'))
    .option('--epochs <x>', 'passes over the data (default 1)', numberOption('--epochs'))
    .option('--max-steps <n>', 'stop after n optimizer steps', numberOption('--max-steps'))
    .option('--batch-size <n>', 'sequences per step and device (default 4)', numberOption('--batch-size'))
    .option('--grad-accum <n>', 'gradient accumulation steps (default 1)', numberOption('--grad-accum'))
    .option('--lr <x>', 'peak learning rate (default 2e-4 LoRA, 5e-5 full)', numberOption('--lr'))
    .option('--lora-r <n>', 'LoRA rank (default 16)', numberOption('--lora-r'))
    .option('--lora-alpha <n>', 'LoRA alpha (default 32)', numberOption('--lora-alpha'))
    .option('--max-seq-len <n>', 'tokens per sequence (default 1024)', numberOption('--max-seq-len'))
    .option('--packing', 'pack several traces per sequence (no padding)')
    .option('--limit <n>', 'train on a seeded random subset of n traces', numberOption('--limit'))
    .option('--seed <n>', 'seed (default 0)', numberOption('--seed'))
    .option('--threads <n>', 'CPU threads', numberOption('--threads'))
    .addOption(new Option('--dtype <dtype>', 'auto: bf16 on CUDA, fp32 on CPU (default auto)').choices(['auto', 'fp32', 'bf16', 'fp16']))
    .option('--save-steps <n>', 'checkpoint every n steps (default 50)', numberOption('--save-steps'))
    .option('--no-resume', 'start over instead of resuming from the last checkpoint in --out')
    .option('--no-gguf', 'no GGUF export (the model is then not registered: the CPU server needs the GGUF)')
    .addOption(new Option('--gguf-outtype <type>', 'GGUF tensor type (default f16)').choices(['f32', 'f16', 'bf16', 'q8_0', 'auto']))
    .addOption(databaseOption())
    .option('--no-store', 'do not register the trained model (rstar models lists registered models)')
    .action(async (options: TrainPolicyOptions) => {
      process.exitCode = await trainPolicy(options);
    });
}

/** Checks the options; throws CliUsageError (exit 2) with one line naming the first bad one. */
export function validateTrainOptions(o: TrainPolicyOptions): void {
  if (o.data === undefined && o.config === undefined) throw new CliUsageError('--data: required (or give it in --config)');
  if (o.data !== undefined && !isFile(o.data)) throw new CliUsageError(`--data: cannot read ${resolve(o.data)}: no such file`);
  if (o.config !== undefined && !isFile(o.config)) throw new CliUsageError(`--config: cannot read ${resolve(o.config)}: no such file`);
  if (o.out.trim() === '') throw new CliUsageError('--out: must be a directory path');
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) throw new CliUsageError(`--out: ${resolve(o.out)} is not a directory`);
  if (o.base !== undefined) validateBase(o.base);
  for (const [key, [flag, min]] of Object.entries(INTEGERS) as [IntegerOption, [string, number]][]) {
    const value = o[key];
    if (value === undefined || (key === 'maxSteps' && value === -1)) continue;
    if (!Number.isInteger(value) || value < min) throw new CliUsageError(`${flag}: expected an integer >= ${min}`);
  }
  if (o.epochs !== undefined && !(o.epochs > 0)) throw new CliUsageError('--epochs: expected a number > 0');
  if (o.lr !== undefined && !(o.lr > 0)) throw new CliUsageError('--lr: expected a number > 0');
  if (o.store) parseDatabaseOption(chooseDatabaseUrl(o.database));
}

function validateBase(base: string): void {
  if (findCatalogModel(base) !== undefined || base.endsWith('.gguf')) {
    try {
      resolveModel(base);
    } catch (error) {
      if (error instanceof ModelNotFoundError) throw new CliUsageError(`--base: ${error.message}`);
      throw error;
    }
    return;
  }
  if (isModelDirectory(base)) throw new CliUsageError(`--base: ${resolve(base)} is a trained rStar model; give its hf/ directory`);
  if (!isFile(join(base, 'config.json'))) {
    throw new CliUsageError(`--base: '${base}' is neither smollm2-135m, gemma3-270m, a .gguf file nor a Hugging Face directory (config.json)`);
  }
}

/** The trainer's command line: only the options given, so --config's values stand where no flag overrides them. */
export function trainerArgs(o: TrainPolicyOptions): string[] {
  const args = ['-m', TRAINER_MODULE, '--out', o.out];
  const put = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(flag, String(value));
  };
  put('--config', o.config);
  put('--data', o.data);
  put('--base', o.base);
  put('--method', o.method);
  put('--name', o.name);
  put('--round', o.round);
  put('--epochs', o.epochs);
  put('--max-steps', o.maxSteps);
  put('--batch-size', o.batchSize);
  put('--grad-accum', o.gradAccum);
  put('--learning-rate', o.lr);
  put('--lora-r', o.loraR);
  put('--lora-alpha', o.loraAlpha);
  put('--max-seq-len', o.maxSeqLen);
  if (o.packing) args.push('--packing');
  put('--limit', o.limit);
  put('--seed', o.seed);
  put('--threads', o.threads);
  put('--dtype', o.dtype);
  put('--save-steps', o.saveSteps);
  if (!o.resume) args.push('--no-resume');
  if (!o.gguf) args.push('--no-gguf');
  put('--gguf-outtype', o.ggufOuttype);
  return args;
}

async function trainPolicy(o: TrainPolicyOptions): Promise<number> {
  validateTrainOptions(o);
  const python = venvPython();
  if (!existsSync(python)) throw new CliUsageError(`the Python venv is missing (${python}): run tools/setup`);
  const code = await runTrainer(python, trainerArgs(o));
  if (code !== 0) return code;
  if (!o.store) return 0;
  if (!o.gguf) {
    process.stderr.write('rstar: not registered: a model without its GGUF export cannot be served (rerun without --no-gguf)\n');
    return 0;
  }
  const record = await registerTrainedModel(o.out, o.database);
  process.stdout.write(`registered model ${record.name} (${record.kind}, round ${record.round}) at ${record.uri}\n`);
  return 0;
}

/** Runs the trainer with the terminal as its own; Ctrl-C reaches it (it stops at a checkpoint-resumable point). */
function runTrainer(python: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: 'inherit', env: { ...process.env, RSTAR_HOME: workspaceRoot() } });
    const ignore = (): void => undefined;
    const forward = (): void => {
      child.kill('SIGTERM');
    };
    // The terminal sends SIGINT to the trainer too; this process waits for it to exit rather than dying first.
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    const cleanup = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
    };
    child.on('error', (error) => {
      cleanup();
      fail(new Error(`cannot start the trainer (${python}): ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      done(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
