import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { PromptStyle } from '@rstar/step-format';
import { modelsDir } from '@rstar/workspace';
import { InvalidModelMetadataError, isModelDirectory, readModelMetadata, trainedModelFiles, type ModelMetadata } from './trained-model.js';

/** A CPU model that tools/setup installs into `models/`. */
export interface CatalogModel {
  /** Short name used on the command line and as the served model id. */
  name: string;
  /** File name inside the models directory. */
  fileName: string;
  description: string;
  /** Context the model was trained with (the ceiling for `contextSize`). */
  trainContextSize: number;
  /** Context per sequence the server allocates by default (METHOD.md §2: 4096). */
  defaultContextSize: number;
  /** Prompt-format facts a caller must know; the server itself sends prompts verbatim. */
  promptNotes: string;
}

export const DEFAULT_MODEL_NAME = 'smollm2-135m';

export const MODEL_CATALOG: readonly CatalogModel[] = [
  {
    name: 'smollm2-135m',
    fileName: 'smollm2-135m-instruct.Q4_1.gguf',
    description: 'SmolLM2-135M-Instruct, Q4_1 (the default CPU policy)',
    trainContextSize: 8192,
    defaultContextSize: 4096,
    promptNotes:
      'GPT-2 BPE tokenizer; no BOS is prepended. ChatML template (<|im_start|>role\\n...<|im_end|>); ' +
      '<|im_end|> and <|endoftext|> end generation. Special-token text in prompts is parsed as special tokens.',
  },
  {
    name: 'gemma3-270m',
    fileName: 'gemma-3-270m.Q4_K_M.gguf',
    description: 'Gemma 3 270M (pretrained base), Q4_K_M',
    trainContextSize: 32768,
    defaultContextSize: 4096,
    promptNotes:
      'SentencePiece tokenizer; <bos> is prepended automatically (do not put it in the prompt). Base model: no chat ' +
      'template. Uses sliding-window attention (512); the server keeps the full KV cache so prefix reuse still works.',
  },
];

export type ModelResolutionProblem = 'unknown_model' | 'missing_file' | 'invalid_model' | 'served_elsewhere';

/** A model name or path that cannot be served; the message is one line meant for the user. */
export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(
    message: string,
    readonly problem: ModelResolutionProblem,
    readonly requested: string,
  ) {
    super(message);
  }
}

export interface ResolvedModel {
  /** The served model id: the catalog name, the metadata name of a trained model, or the file name without `.gguf`. */
  name: string;
  /** Absolute path of the `.gguf` file loaded (for a LoRA model: its base). */
  path: string;
  /** Catalog entry when the model (or a LoRA model's base) is a known one. */
  catalog: CatalogModel | null;
  /** LoRA adapter (GGUF) applied over `path`; null for a plain model. */
  adapter: string | null;
  /** A trained model directory: where it is and its metadata. */
  trained: { dir: string; metadata: ModelMetadata } | null;
  /** The prompt style the model was trained for; null when it has none (a base model: the caller's default). */
  promptStyle: PromptStyle | null;
}

export function findCatalogModel(name: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.name === name);
}

/**
 * Resolves a known model name (`smollm2-135m`), a path to a `.gguf` file, or a trained model directory (metadata.json
 * with model.gguf, or adapter.gguf over its base). Throws `ModelNotFoundError` with one clear line when the name is
 * unknown or a file is missing.
 */
export function resolveModel(nameOrPath: string, dir: string = modelsDir()): ResolvedModel {
  const plain = { adapter: null, trained: null, promptStyle: null };
  const known = findCatalogModel(nameOrPath);
  if (known) {
    const path = resolve(dir, known.fileName);
    if (!isFile(path)) {
      throw new ModelNotFoundError(
        `model '${known.name}' is not installed (missing ${path}): run tools/setup`,
        'missing_file',
        nameOrPath,
      );
    }
    return { name: known.name, path, catalog: known, ...plain };
  }
  if (nameOrPath.endsWith('.gguf')) {
    const path = resolve(nameOrPath);
    if (!isFile(path)) throw new ModelNotFoundError(`model file not found: ${path}`, 'missing_file', nameOrPath);
    // A path to a catalog file still gets the catalog's facts.
    const catalog = MODEL_CATALOG.find((m) => m.fileName === basename(path)) ?? null;
    return { name: catalog?.name ?? basename(path, '.gguf'), path, catalog, ...plain };
  }
  if (isModelDirectory(nameOrPath)) return resolveTrainedModel(nameOrPath, dir);
  const names = MODEL_CATALOG.map((m) => m.name).join(', ');
  throw new ModelNotFoundError(
    `unknown model '${nameOrPath}': use one of ${names}, a path to a .gguf file, or a trained model directory (with metadata.json)`,
    'unknown_model',
    nameOrPath,
  );
}

/** A trained model directory; its base, when a catalog name, is looked up in `dir` if `baseGguf` is not there. */
export function resolveTrainedModel(modelDir: string, dir: string = modelsDir()): ResolvedModel {
  try {
    const metadata = readModelMetadata(modelDir);
    const baseCatalog = findCatalogModel(metadata.base) ?? null;
    const files = trainedModelFiles(modelDir, metadata, baseCatalog ? resolve(dir, baseCatalog.fileName) : null);
    const catalog = baseCatalog ?? MODEL_CATALOG.find((m) => m.fileName === basename(files.model)) ?? null;
    return {
      name: metadata.name,
      path: files.model,
      catalog,
      adapter: files.adapter,
      trained: { dir: resolve(modelDir), metadata },
      promptStyle: metadata.promptStyle,
    };
  } catch (error) {
    if (error instanceof InvalidModelMetadataError) throw new ModelNotFoundError(error.message, 'invalid_model', modelDir);
    throw error;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
