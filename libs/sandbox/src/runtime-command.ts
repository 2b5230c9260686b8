import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { venvPython } from '@rstar/workspace';
import type { SandboxIsolation } from './sandbox-config.js';
import { SandboxError } from './sandbox-error.js';

export interface RuntimeCommand {
  command: string;
  args: string[];
}

/**
 * How a runtime is started: the Python launcher builds the bubblewrap command line (the one description
 * of the sandbox, apps/sandbox-runtime/src/rstar_sandbox/launcher.py) and execs it, so the pool's child
 * process is bubblewrap itself.
 */
export function runtimeCommand(isolation: SandboxIsolation, pythonPath: string = venvPython()): RuntimeCommand {
  return { command: pythonPath, args: ['-P', '-m', 'rstar_sandbox.launcher', '--isolation', isolation] };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on a PATH-style list, or undefined. */
export function findOnPath(name: string, pathList: string = process.env['PATH'] ?? ''): string | undefined {
  return pathList
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

/** Fails with one line naming what is missing when the sandbox cannot start on this machine. */
export function assertSandboxSetup(pythonPath: string, pathList?: string): void {
  if (!isExecutable(pythonPath)) {
    throw new SandboxError('setup_missing', `Python venv not found at ${pythonPath}: run tools/setup`);
  }
  if (findOnPath('bwrap', pathList) === undefined) {
    throw new SandboxError('setup_missing', 'bwrap (bubblewrap) not found on PATH: run tools/setup');
  }
}
