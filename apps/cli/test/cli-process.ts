import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Solves in tests are stored here (one database per test file), never in the workspace's .rstar/rstar.db. */
export const testDatabaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'rstar-cli-test-')), 'rstar.db')}`;

/**
 * Runs the built CLI as a user would, with no terminal (no progress bar) and NO_COLOR (nx and CI force colours). Asynchronous: a synchronous spawn
 * would block the test worker's event loop for minutes and vitest's worker RPC would time out.
 */
export function rstar(args: string[], timeoutMs = 300_000, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // FORCE_COLOR (set by nx) beside NO_COLOR makes Node warn on stderr: only NO_COLOR goes to the child.
    const { FORCE_COLOR: _forced, ...inherited } = process.env;
    const childEnv = { ...inherited, RSTAR_HOME: root, RSTAR_DATABASE_URL: testDatabaseUrl, NO_COLOR: '1', ...env };
    execFile('node', [bundle, ...args], { cwd: root, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: childEnv }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
