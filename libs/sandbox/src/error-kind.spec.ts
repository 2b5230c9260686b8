import { sandboxV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import { toSandboxErrorKind } from './error-kind.js';

describe('toSandboxErrorKind', () => {
  it('maps every proto ErrorKind', () => {
    const { ErrorKind } = sandboxV1;
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_UNSPECIFIED)).toBeNull();
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_SYNTAX)).toBe('syntax');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_RUNTIME)).toBe('runtime');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_TIMEOUT)).toBe('timeout');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_MEMORY)).toBe('memory');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_OUTPUT_LIMIT)).toBe('output_limit');
    expect(toSandboxErrorKind(ErrorKind.ERROR_KIND_INTERNAL)).toBe('internal');
  });

  it('treats a kind it does not know (a newer runtime) as internal', () => {
    expect(toSandboxErrorKind(sandboxV1.errorKindFromJSON('ERROR_KIND_FROM_THE_FUTURE'))).toBe('internal');
  });
});
