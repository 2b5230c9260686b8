import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSandboxSetup, findOnPath, runtimeCommand } from './runtime-command.js';
import { SandboxError } from './sandbox-error.js';

describe('runtimeCommand', () => {
  it('starts the launcher with the isolation asked for', () => {
    expect(runtimeCommand('basic', '/venv/bin/python')).toEqual({
      command: '/venv/bin/python',
      args: ['-P', '-m', 'rstar_sandbox.launcher', '--isolation', 'basic'],
    });
  });
});

describe('assertSandboxSetup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-setup-'));
  const fakeBwrap = join(dir, 'bwrap');
  writeFileSync(fakeBwrap, '#!/bin/sh\n', { mode: 0o755 });

  it('finds executables on a PATH list', () => {
    expect(findOnPath('bwrap', `/nonexistent:${dir}`)).toBe(fakeBwrap);
    expect(findOnPath('bwrap', '/nonexistent')).toBeUndefined();
  });

  it('says to run tools/setup when the venv is missing', () => {
    expect(() => assertSandboxSetup('/nonexistent/.venv/bin/python', dir)).toThrow(
      /Python venv not found at \/nonexistent\/.venv\/bin\/python: run tools\/setup/,
    );
  });

  it('says to run tools/setup when bwrap is missing', () => {
    try {
      assertSandboxSetup(fakeBwrap, '/nonexistent');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).code).toBe('setup_missing');
      expect((error as SandboxError).message).toBe('bwrap (bubblewrap) not found on PATH: run tools/setup');
    }
  });

  it('passes when both are there', () => {
    expect(() => assertSandboxSetup(fakeBwrap, dir)).not.toThrow();
  });
});
