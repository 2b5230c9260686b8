import type { SandboxErrorKind } from '@rstar/clients';
import { sandboxV1 } from '@rstar/contracts';

/** The client-side kind of a runtime's ErrorKind; `null` when the program finished cleanly. */
export function toSandboxErrorKind(kind: sandboxV1.ErrorKind): SandboxErrorKind | null {
  switch (kind) {
    case sandboxV1.ErrorKind.ERROR_KIND_UNSPECIFIED:
      return null;
    case sandboxV1.ErrorKind.ERROR_KIND_SYNTAX:
      return 'syntax';
    case sandboxV1.ErrorKind.ERROR_KIND_RUNTIME:
      return 'runtime';
    case sandboxV1.ErrorKind.ERROR_KIND_TIMEOUT:
      return 'timeout';
    case sandboxV1.ErrorKind.ERROR_KIND_MEMORY:
      return 'memory';
    case sandboxV1.ErrorKind.ERROR_KIND_OUTPUT_LIMIT:
      return 'output_limit';
    case sandboxV1.ErrorKind.ERROR_KIND_INTERNAL:
    case sandboxV1.ErrorKind.UNRECOGNIZED:
      return 'internal';
  }
}
