import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelKind, ModelRecord, ModelStore } from '@rstar/persistence';
import type { PromptStyle } from '@rstar/step-format';
import { workspaceRoot } from '@rstar/workspace';
import { DEFAULT_MODEL_NAME, findCatalogModel, MODEL_CATALOG, ModelNotFoundError, resolveModel, resolveTrainedModel } from './model-catalog.js';
import { InvalidModelMetadataError, isModelDirectory, readModelMetadata, type ModelMetadata } from './trained-model.js';

/**
 * The metric that ranks trained policies for the default choice: GSM8K greedy accuracy, a fraction in [0, 1], at
 * `metrics.gsm8k.greedy.accuracy` of the model's metadata (what `rstar eval --benchmark gsm8k --method greedy` measures).
 */
export const RANKING_METRIC = { path: ['gsm8k', 'greedy', 'accuracy'], label: 'gsm8k greedy' } as const;

/** Where the repository keeps small trained policies (metadata.json + adapter.gguf), so a fresh clone has one. */
export function shippedPoliciesDir(root: string = workspaceRoot()): string {
  return join(root, 'policies');
}

/** A model `rstar models` lists and `--model` may name: registered in the database, or shipped in `policies/`. */
export interface ModelEntry {
  name: string;
  kind: ModelKind;
  round: number;
  /** A trained model directory, a .gguf path, or an OpenAI-compatible URL. */
  uri: string;
  source: 'registered' | 'shipped';
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** The ranking metric of a model's metadata; null when it has not been measured. */
export function rankingScore(metadata: Record<string, unknown>): number | null {
  let at: unknown = metadata['metrics'];
  for (const key of RANKING_METRIC.path) {
    if (typeof at !== 'object' || at === null) return null;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}

/** The registration of a trained model directory: its metadata (validated) and weights present. */
export function trainedModelRecord(dir: string): { name: string; kind: ModelKind; uri: string; round: number; metadata: ModelMetadata } {
  const uri = resolve(dir);
  if (!isModelDirectory(uri)) throw new InvalidModelMetadataError(`${uri}: not a trained model directory (no metadata.json)`);
  // Resolving checks that the GGUF files it will be served with are there.
  const { trained } = resolveTrainedModel(uri);
  const metadata = trained?.metadata ?? readModelMetadata(uri);
  return { name: metadata.name, kind: metadata.kind, uri, round: metadata.round, metadata };
}

/** Registers (or updates, by name) the trained model in `dir` in the given model store. */
export async function registerModelDirectory(dir: string, models: ModelStore): Promise<ModelRecord> {
  return models.register(trainedModelRecord(dir));
}

/**
 * Every known model: the database's, then the shipped policies whose names the database does not hold (a model
 * registered under the same name wins). Shipped policies are read from their folder, not registered at start, so
 * read-only commands write nothing, `--no-store` and any `--database` see them alike, and the repository's files stay
 * their one source (a pull that updates `policies/` is seen at once). Unreadable shipped folders are reported in
 * `problems` and skipped.
 */
export async function listModels(
  models: ModelStore | null,
  options: { kind?: ModelKind | null; root?: string } = {},
): Promise<{ entries: ModelEntry[]; problems: string[] }> {
  const kind = options.kind ?? null;
  const registered: ModelEntry[] = (models ? await models.list(kind) : []).map((m) => ({
    name: m.name,
    kind: m.kind,
    round: m.round,
    uri: m.uri,
    source: 'registered',
    metadata: m.metadata,
    createdAt: m.createdAt,
  }));
  const names = new Set(registered.map((m) => m.name));
  const problems: string[] = [];
  const shipped: ModelEntry[] = [];
  const dir = shippedPoliciesDir(options.root);
  const folders = existsSync(dir) ? readdirSync(dir).sort() : [];
  for (const folder of folders) {
    const path = join(dir, folder);
    if (!statSync(path).isDirectory()) continue;
    try {
      const record = trainedModelRecord(path);
      if (names.has(record.name) || (kind !== null && record.kind !== kind)) continue;
      shipped.push({ ...record, source: 'shipped', createdAt: statSync(join(path, 'metadata.json')).mtime });
    } catch (error) {
      if (!(error instanceof InvalidModelMetadataError || error instanceof ModelNotFoundError)) throw error;
      problems.push(`shipped policy ${path} skipped: ${error.message}`);
    }
  }
  return { entries: [...registered, ...shipped], problems };
}

/** The policy `rstar solve` uses by default: the highest ranking metric, ties (and unmeasured ones) by newest. */
export function bestPolicy(entries: readonly ModelEntry[]): ModelEntry | null {
  const servable = entries.filter((e) => e.kind === 'policy' && isModelDirectory(e.uri));
  const score = (e: ModelEntry): number => rankingScore(e.metadata) ?? Number.NEGATIVE_INFINITY;
  const sorted = [...servable].sort((a, b) => score(b) - score(a) || b.createdAt.getTime() - a.createdAt.getTime());
  return sorted[0] ?? null;
}

/** "policy-r0 (round 0, LoRA over smollm2-135m; gsm8k greedy 12.0%)" */
export function describeModel(entry: Pick<ModelEntry, 'name' | 'round' | 'metadata'>): string {
  const method = entry.metadata['method'] === 'lora' ? 'LoRA over' : entry.metadata['method'] === 'full' ? 'fine-tuned from' : 'from';
  const base = typeof entry.metadata['base'] === 'string' ? ` ${method} ${entry.metadata['base']}` : '';
  const score = rankingScore(entry.metadata);
  const metric = score === null ? `${RANKING_METRIC.label} not measured yet` : `${RANKING_METRIC.label} ${(100 * score).toFixed(1)}%`;
  return `${entry.name} (round ${entry.round},${base}; ${metric})`;
}

/** What the embedded model server is given, the prompt style the model wants, and a status line saying which. */
export interface ModelChoice {
  /** A catalog name, a .gguf path or a trained model directory (what CpuModelServer's `model` takes). */
  model: string;
  /** The model's own prompt style (`sft` for a trained policy); null: the search default. */
  promptStyle: PromptStyle | null;
  /** For stderr: which model and why; null when the user named a base model or file (the loading line says it). */
  statusLine: string | null;
}

export const NO_POLICY_HINT =
  'no trained policy is registered: using the base model smollm2-135m (make a policy with `rstar bootstrap …` then `rstar train policy …`, see README)';

/**
 * The model of `rstar solve` / `rstar eval`: `requested` (a catalog name, a .gguf path, a trained model directory or
 * the name of a known model) or, when none is given, the best known trained policy, else the default base model.
 */
export function chooseModel(requested: string | undefined, entries: readonly ModelEntry[]): ModelChoice {
  if (requested === undefined) {
    const best = bestPolicy(entries);
    if (best === null) return { model: DEFAULT_MODEL_NAME, promptStyle: null, statusLine: NO_POLICY_HINT };
    return { model: best.uri, promptStyle: styleOf(best.metadata), statusLine: `using ${describeModel(best)}; --model picks another` };
  }
  if (findCatalogModel(requested) || requested.endsWith('.gguf')) return { model: requested, promptStyle: null, statusLine: null };
  if (isModelDirectory(requested)) {
    const { trained } = resolveModel(requested);
    const metadata = trained?.metadata ?? {};
    return { model: requested, promptStyle: trained?.metadata.promptStyle ?? null, statusLine: `using ${describeModel({ name: trained?.metadata.name ?? requested, round: trained?.metadata.round ?? 0, metadata })}` };
  }
  const known = entries.find((e) => e.name === requested);
  if (known) {
    if (/^https?:\/\//.test(known.uri)) throw new ModelNotFoundError(`model '${requested}' is served at ${known.uri}, not loaded here: use --policy-url ${known.uri}`, 'served_elsewhere', requested);
    return { model: known.uri, promptStyle: styleOf(known.metadata), statusLine: `using ${describeModel(known)}` };
  }
  // A missing .gguf or directory gets the catalog's own message; anything else is an unknown name.
  if (requested.includes('/')) resolveModel(requested);
  const names = MODEL_CATALOG.map((m) => m.name).join(', ');
  throw new ModelNotFoundError(
    `unknown model '${requested}': not a registered or shipped model (rstar models), nor ${names}, a .gguf path or a trained model directory`,
    'unknown_model',
    requested,
  );
}

function styleOf(metadata: Record<string, unknown>): PromptStyle | null {
  const style = metadata['promptStyle'];
  return style === 'sft' || style === 'few-shot' ? style : null;
}
