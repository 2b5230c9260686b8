import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from '@rstar/workspace';

const root = workspaceRoot();
export const bundle = join(root, 'dist', 'apps', 'cli', 'main.js');

/** Builds the CLI bundle the way ./rstar does. */
export function buildCli(): void {
  execFileSync(join(root, 'tools', 'build-cli'), { cwd: root, stdio: 'inherit' });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with no terminal (no progress bar). */
export function rstar(args: string[], timeoutMs = 300_000): CliRun {
  const r = spawnSync('node', [bundle, ...args], { cwd: root, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, RSTAR_HOME: root } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
