import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelNotFoundError, registerModelDirectory } from '@rstar/model-server';
import { createDataSource, migrate, openStores } from '@rstar/persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServedModel } from './registered-model.js';

const root = mkdtempSync(join(tmpdir(), 'rstar-served-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveServedModel', () => {
  it('passes catalog names and paths through, and finds a registered model by name', async () => {
    expect(await resolveServedModel('gemma3-270m', 'sqlite:/nonexistent/x.db')).toBe('gemma3-270m');
    const dir = join(root, 'policy-r0');
    mkdirSync(dir);
    writeFileSync(join(root, 'base.gguf'), 'w');
    writeFileSync(join(dir, 'adapter.gguf'), 'a');
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ schema: 'rstar.model.v1', name: 'policy-r0', kind: 'policy', round: 0, base: 'smollm2-135m', baseGguf: join(root, 'base.gguf'), method: 'lora' }));
    expect(await resolveServedModel(dir, 'sqlite:/nonexistent/x.db')).toBe(dir);
    const url = `sqlite:${join(root, 'rstar.db')}`;
    const dataSource = createDataSource(url);
    await migrate(dataSource);
    await registerModelDirectory(dir, openStores(dataSource).models);
    await dataSource.destroy();
    expect(await resolveServedModel('policy-r0', url)).toBe(dir);
  });

  it('refuses an unknown name in one line without creating a database', async () => {
    const absent = join(root, 'absent.db');
    await expect(resolveServedModel('no-such-model', `sqlite:${absent}`)).rejects.toThrow(ModelNotFoundError);
    await expect(resolveServedModel('no-such-model', `sqlite:${absent}`)).rejects.toThrow(/^unknown model 'no-such-model'/);
    expect(existsSync(absent)).toBe(false);
  });
});
