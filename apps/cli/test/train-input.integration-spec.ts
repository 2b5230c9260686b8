import { describe, expect, it, beforeAll } from 'vitest';
import { buildCli, rstar } from './cli-process.js';

beforeAll(() => buildCli());

describe('rstar train policy bad input', () => {
  it('has --help', async () => {
    const r = await rstar(['train', 'policy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--data <path>[\s\S]*--base <model>[\s\S]*--method <method>[\s\S]*--config <file.yaml>/);
  });

  it('refuses a data file that does not exist with one line and exit 2, before starting Python', async () => {
    const r = await rstar(['train', 'policy', '--data', '/nonexistent/sft.jsonl', '--out', '/tmp/rstar-never-written']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rstar: error: --data: cannot read /nonexistent/sft.jsonl: no such file\n');
  });

  it('refuses an unknown method and a missing --out', async () => {
    const method = await rstar(['train', 'policy', '--data', 'package.json', '--out', '/tmp/x', '--method', 'qlora']);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/--method.*qlora/);
    const out = await rstar(['train', 'policy', '--data', 'package.json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--out <dir>/);
  });
});
