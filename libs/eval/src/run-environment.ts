import { execFile } from 'node:child_process';

function run(file: string, args: string[], cwd?: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, encoding: 'utf8', timeout: 30_000 }, (error, stdout) => resolve(error ? null : stdout.trim()));
  });
}

/** The checkout's git commit, with `-dirty` when tracked files differ from it; null outside a git checkout. */
export async function codeVersion(cwd: string): Promise<string | null> {
  const sha = await run('git', ['rev-parse', 'HEAD'], cwd);
  if (!sha) return null;
  const changes = await run('git', ['status', '--porcelain', '--untracked-files=no'], cwd);
  return changes ? `${sha}-dirty` : sha;
}

/** The installed version of a Python distribution (importlib.metadata, in a one-off child); null if unknown. */
export async function pythonPackageVersion(python: string, distribution: string): Promise<string | null> {
  const script = 'import sys, importlib.metadata as m; print(m.version(sys.argv[1]))';
  return run(python, ['-c', script, distribution]);
}
