import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseSandboxConfig } from './sandbox-config.js';

describe('parseSandboxConfig', () => {
  it('fills the defaults of METHOD.md §2 and the brief', () => {
    const config = parseSandboxConfig();
    expect(config.size).toBe(availableParallelism());
    expect(config.limits).toEqual({
      wallSeconds: 10,
      cpuSeconds: 10,
      memoryMb: 1024,
      maxProcesses: 32,
      maxOutputBytes: 1 << 20,
      maxFileBytes: 16 << 20,
    });
    expect(config.isolation).toBe('namespaces');
    expect(config.cacheEntries).toBe(10_000);
    expect(config.timeoutGraceMs).toBe(5_000);
  });

  it('keeps the limits it is given and fills the others', () => {
    const config = parseSandboxConfig({ size: 3, limits: { wallSeconds: 30 } });
    expect(config.size).toBe(3);
    expect(config.limits.wallSeconds).toBe(30);
    expect(config.limits.memoryMb).toBe(1024);
  });

  it('lists every bad option at once', () => {
    try {
      parseSandboxConfig({ size: 0, limits: { memoryMb: 10, wallSeconds: -1 }, isolation: 'none' as 'basic' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZodError);
      const paths = (error as ZodError).issues.map((issue) => issue.path.join('.')).sort();
      expect(paths).toEqual(['isolation', 'limits.memoryMb', 'limits.wallSeconds', 'size']);
    }
  });

  it('refuses unknown options (a typo must not silently fall back to a default)', () => {
    expect(() => parseSandboxConfig({ limits: { wallSecond: 3 } } as never)).toThrow(ZodError);
    expect(() => parseSandboxConfig({ poolSize: 3 } as never)).toThrow(ZodError);
  });
});
