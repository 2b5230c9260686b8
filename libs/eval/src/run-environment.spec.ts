import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeVersion, pythonPackageVersion } from './run-environment.js';

describe('run environment', () => {
  it('reads the checkout commit, and nothing outside a git checkout', async () => {
    expect(await codeVersion(dirname(fileURLToPath(import.meta.url)))).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    expect(await codeVersion(mkdtempSync(join(tmpdir(), 'rstar-not-git-')))).toBeNull();
  });

  it('gives null for a Python or package that is not there', async () => {
    expect(await pythonPackageVersion('/nonexistent/python', 'math-verify')).toBeNull();
  });
});
