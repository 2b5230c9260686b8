import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { modelsDir } from '@rstar/workspace';

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

export type ModelResolutionProblem = 'unknown_model' | 'missing_file';

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
  /** The served model id: the catalog name, or the file name without `.gguf` for a path. */
  name: string;
  /** Absolute path of the `.gguf` file. */
  path: string;
  /** Catalog entry when the model is a known one. */
  catalog: CatalogModel | null;
}

export function findCatalogModel(name: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.name === name);
}

/**
 * Resolves a known model name (`smollm2-135m`) or a path to a `.gguf` file.
 * Throws `ModelNotFoundError` with one clear line when the name is unknown or the file is missing.
 */
export function resolveModel(nameOrPath: string, dir: string = modelsDir()): ResolvedModel {
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
    return { name: known.name, path, catalog: known };
  }
  if (nameOrPath.endsWith('.gguf')) {
    const path = resolve(nameOrPath);
    if (!isFile(path)) throw new ModelNotFoundError(`model file not found: ${path}`, 'missing_file', nameOrPath);
    // A path to a catalog file still gets the catalog's facts.
    const catalog = MODEL_CATALOG.find((m) => m.fileName === basename(path)) ?? null;
    return { name: catalog?.name ?? basename(path, '.gguf'), path, catalog };
  }
  const names = MODEL_CATALOG.map((m) => m.name).join(', ');
  throw new ModelNotFoundError(
    `unknown model '${nameOrPath}': use one of ${names}, or a path to a .gguf file`,
    'unknown_model',
    nameOrPath,
  );
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
