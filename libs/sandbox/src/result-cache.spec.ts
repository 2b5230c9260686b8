import type { SandboxRunResult } from '@rstar/clients';
import { describe, expect, it } from 'vitest';
import { isCacheable, programKey, ResultCache } from './result-cache.js';

function result(overrides: Partial<SandboxRunResult> = {}): SandboxRunResult {
  return { ok: true, stdout: '4\n', errorKind: null, errorMessage: '', durationMs: 12, cached: false, ...overrides };
}

describe('programKey', () => {
  it('is the sha256 of the program', () => {
    expect(programKey('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(programKey('print(1)')).not.toBe(programKey('print(1) '));
  });
});

describe('ResultCache', () => {
  it('answers a program it has seen, marked cached', () => {
    const cache = new ResultCache(10, 1 << 20);
    cache.set(programKey('print(2+2)'), result());
    expect(cache.get(programKey('print(2+2)'))).toEqual(result({ cached: true }));
    expect(cache.get(programKey('print(2+3)'))).toBeUndefined();
  });

  it('evicts the least recently used program first', () => {
    const cache = new ResultCache(2, 1 << 20);
    cache.set('a', result());
    cache.set('b', result());
    cache.get('a');
    cache.set('c', result());
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('bounds its memory by the size of the outputs', () => {
    const cache = new ResultCache(100, 1_000);
    cache.set('big', result({ stdout: 'x'.repeat(600) }));
    cache.set('big2', result({ stdout: 'y'.repeat(600) }));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('big2')).toBeDefined();
  });

  it('does not keep timeouts or internal failures, which a rerun may not repeat', () => {
    const cache = new ResultCache(10, 1 << 20);
    cache.set('t', result({ ok: false, errorKind: 'timeout' }));
    cache.set('i', result({ ok: false, errorKind: 'internal' }));
    cache.set('r', result({ ok: false, errorKind: 'runtime' }));
    expect(cache.get('t')).toBeUndefined();
    expect(cache.get('i')).toBeUndefined();
    expect(cache.get('r')?.errorKind).toBe('runtime');
    expect(isCacheable(result({ errorKind: 'memory' }))).toBe(true);
  });

  it('is off with zero entries', () => {
    const cache = new ResultCache(0, 1 << 20);
    cache.set('a', result());
    expect(cache.get('a')).toBeUndefined();
  });
});
