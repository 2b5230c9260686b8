import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKeysCli } from './keys.command.js';

const dir = mkdtempSync(join(tmpdir(), 'rstar-gateway-keys-'));
const env = { RSTAR_DATABASE_URL: `sqlite:${join(dir, 'keys.sqlite')}`, RSTAR_DEFAULT_RATE_LIMIT: '30' };

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKeysCli(args, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gateway keys', () => {
  it('issues, lists and revokes keys in the database of RSTAR_DATABASE_URL', async () => {
    const issued = await run('keys', 'issue', '--name', 'ops', '--role', 'admin', '--rate', '5', '--json');
    expect(issued.code).toBe(0);
    const key = JSON.parse(issued.out) as { id: string; prefix: string; role: string; rateLimitPerMinute: number; secret: string };
    expect(key).toMatchObject({ role: 'admin', rateLimitPerMinute: 5 });
    expect(key.secret.startsWith(key.prefix)).toBe(true);

    const plain = await run('keys', 'issue', '--name', 'tutor');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/client\s+30\/min\s+active\s+tutor/);
    expect(plain.out).toMatch(/^secret: rsk_/m);

    const listed = await run('keys', 'list');
    expect(listed.out.trim().split('\n')).toHaveLength(2);
    expect(listed.out).not.toContain(key.secret);

    const revoked = await run('keys', 'revoke', key.prefix);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(/^revoked .* revoked /);
    expect((await run('keys', 'list', '--json')).out).toContain('"revokedAt":"');
  });

  it('fails with exit 1 for an unknown key and 2 for bad usage', async () => {
    const missing = await run('keys', 'revoke', 'rsk_nosuchkey');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('NOT_FOUND');
    expect((await run('keys', 'issue')).code).toBe(2);
    expect((await run('keys', 'issue', '--name', 'x', '--role', 'root')).code).toBe(2);
    expect((await run('keys', 'issue', '--name', 'x', '--rate', '0')).code).toBe(2);
  });
});
