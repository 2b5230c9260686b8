import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { PROMPT_STYLES } from '@rstar/step-format';
import { z } from 'zod';

export const MODEL_METADATA_SCHEMA = 'rstar.model.v1';
export const MODEL_METADATA_FILE = 'metadata.json';
/** The CPU server's weights in a trained model directory: a full model, or a LoRA adapter over `baseGguf`. */
export const FULL_MODEL_FILE = 'model.gguf';
export const ADAPTER_FILE = 'adapter.gguf';

/**
 * `metadata.json` of a trained model directory (written by `rstar train policy`). Fields other parts add later
 * (evaluation metrics, curation details) are kept as they are.
 */
export const modelMetadataSchema = z
  .object({
    schema: z.literal(MODEL_METADATA_SCHEMA),
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['policy', 'ppm']),
    round: z.number().int().min(0),
    /** Catalog name of the base (`smollm2-135m`) or another id. */
    base: z.string().min(1),
    /** The base GGUF a LoRA adapter applies to: absolute, or relative to the model directory. */
    baseGguf: z.string().min(1).nullish(),
    method: z.enum(['lora', 'full']),
    promptStyle: z.enum(PROMPT_STYLES).default('sft'),
    datasets: z.array(z.unknown()).default([]),
    config: z.record(z.string(), z.unknown()).default({}),
    codeVersion: z.string().nullish(),
    metrics: z.record(z.string(), z.unknown()).default({}),
  })
  .passthrough();

export type ModelMetadata = z.output<typeof modelMetadataSchema>;

/** A trained model directory that cannot be used; the message is one line naming the file and every problem. */
export class InvalidModelMetadataError extends Error {
  override readonly name = 'InvalidModelMetadataError';
}

export function isModelDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, MODEL_METADATA_FILE));
}

/** Reads and validates `<dir>/metadata.json`. */
export function readModelMetadata(dir: string): ModelMetadata {
  const file = join(resolve(dir), MODEL_METADATA_FILE);
  if (!existsSync(file)) throw new InvalidModelMetadataError(`${file}: no such file (a trained model directory has ${MODEL_METADATA_FILE})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidModelMetadataError(`${file}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = modelMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'metadata'}: ${i.message}`).join('; ');
    throw new InvalidModelMetadataError(`${file}: invalid model metadata: ${problems}`);
  }
  return parsed.data;
}

/** A measurement kept in `metrics` (its other fields written as they are); `problems` says how much it covers. */
export interface MeasuredMetric {
  problems: number;
}

/**
 * Writes `metric` at `metrics.<path>` of `<dir>/metadata.json` (atomically; every other field kept as it is), unless
 * the one there covers more problems: a quick check on 5 problems does not replace a measurement on 200.
 * Returns whether it was written, and else how many problems the kept one covers.
 */
export function recordModelMetric(
  dir: string,
  path: readonly [string, ...string[]],
  metric: MeasuredMetric,
): { recorded: true } | { recorded: false; keptProblems: number } {
  readModelMetadata(dir); // refuses a directory that is not a valid trained model
  const file = join(resolve(dir), MODEL_METADATA_FILE);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  let at = (json['metrics'] ??= {}) as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at = (at[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  const earlier = at[last];
  const earlierProblems = typeof earlier === 'object' && earlier !== null ? (earlier as Record<string, unknown>)['problems'] : undefined;
  if (typeof earlierProblems === 'number' && earlierProblems > metric.problems) return { recorded: false, keptProblems: earlierProblems };
  at[last] = metric;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return { recorded: true };
}

/** The GGUF files a trained model directory serves with. */
export interface TrainedModelFiles {
  /** `model.gguf` (full fine-tuning) or, for a LoRA adapter, its base GGUF. */
  model: string;
  /** `adapter.gguf` for a LoRA adapter; null for a full model. */
  adapter: string | null;
}

/**
 * Where a trained model's weights are. A LoRA adapter's base is `baseGguf` when that file exists, else `fallbackBase`
 * (the installed catalog file of `base`): a directory moved to another machine (or kept in the repository) still loads.
 */
export function trainedModelFiles(dir: string, metadata: ModelMetadata, fallbackBase: string | null): TrainedModelFiles {
  const root = resolve(dir);
  if (metadata.method === 'full') {
    const model = join(root, FULL_MODEL_FILE);
    if (!isFile(model)) throw new InvalidModelMetadataError(`${root}: a fully fine-tuned model needs ${FULL_MODEL_FILE}, which is missing`);
    return { model, adapter: null };
  }
  const adapter = join(root, ADAPTER_FILE);
  if (!isFile(adapter)) throw new InvalidModelMetadataError(`${root}: a LoRA model needs ${ADAPTER_FILE}, which is missing`);
  const declared = metadata.baseGguf == null ? null : isAbsolute(metadata.baseGguf) ? metadata.baseGguf : join(root, metadata.baseGguf);
  if (declared !== null && isFile(declared)) return { model: declared, adapter };
  if (fallbackBase !== null && isFile(fallbackBase)) return { model: fallbackBase, adapter };
  throw new InvalidModelMetadataError(
    `${root}: the base model of the LoRA adapter is missing (${declared ?? `no baseGguf, and base '${metadata.base}' is not installed`}): run tools/setup`,
  );
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
