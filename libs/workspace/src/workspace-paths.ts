import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the installed workspace lives: the repository root that tools/setup prepared (node_modules, .venv,
 * models/). Found from RSTAR_HOME, else by walking up from this module (source or bundle) to nx.json.
 */
export function workspaceRoot(): string {
  const fromEnv = process.env['RSTAR_HOME'];
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rStar workspace not found: set RSTAR_HOME to the repository root');
    dir = parent;
  }
}

/** The Python interpreter of the project's venv (sandbox runtime, grader). */
export function venvPython(root: string = workspaceRoot()): string {
  return join(root, '.venv', 'bin', 'python');
}

/** The directory tools/setup installs CPU model weights into. */
export function modelsDir(root: string = workspaceRoot()): string {
  return process.env['RSTAR_MODELS_DIR'] ? resolve(process.env['RSTAR_MODELS_DIR']) : join(root, 'models');
}

/** The shared math benchmark data (../shared/data beside the checkout). */
export function sharedDataDir(root: string = workspaceRoot()): string {
  return process.env['RSTAR_DATA_DIR'] ? resolve(process.env['RSTAR_DATA_DIR']) : resolve(root, '..', 'shared', 'data');
}

/** The SQLite file embedded mode keeps jobs, models and training sets in (the CLI's and the CPU model server's default). */
export function embeddedDatabaseFile(root: string = workspaceRoot()): string {
  return join(root, '.rstar', 'rstar.db');
}
