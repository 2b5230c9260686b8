import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelsDir, venvPython, workspaceRoot } from './workspace-paths.js';

describe('workspace paths', () => {
  it('finds the repository root by its nx.json', () => {
    expect(existsSync(join(workspaceRoot(), 'nx.json'))).toBe(true);
  });
  it('places the venv and models under the root', () => {
    expect(venvPython('/r')).toBe('/r/.venv/bin/python');
    expect(modelsDir('/r')).toBe('/r/models');
  });
});
