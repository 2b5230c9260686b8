import { sandboxV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import type { SandboxErrorKind } from './sandbox-client.js';
import { fromSandboxErrorKind, toSandboxErrorKind } from './sandbox-error-kind.js';

const KINDS: (SandboxErrorKind | null)[] = [null, 'syntax', 'runtime', 'timeout', 'memory', 'output_limit', 'internal'];

describe('sandbox error kinds', () => {
  it('maps every proto ErrorKind', () => {
    const { ErrorKind } = sandboxV1;
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_UNSPECIFIED)).toBeNull();
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_SYNTAX)).toBe('syntax');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_OUTPUT_LIMIT)).toBe('output_limit');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_INTERNAL)).toBe('internal');
  });

  it('round-trips every client kind through the contract', () => {
    for (const kind of KINDS) expect(toSandboxErrorKind(fromSandboxErrorKind(kind))).toBe(kind);
    expect(new Set(KINDS.map(fromSandboxErrorKind)).size).toBe(KINDS.length);
  });

  it('reads a kind it does not know (a newer runtime) as internal', () => {
    expect(toSandboxErrorKind(sandboxV1.errorKindFromJSON('ERROR_KIND_FROM_THE_FUTURE'))).toBe('internal');
  });
});
