import { sandboxV1 } from '@rstar/contracts';
import type { SandboxErrorKind } from './sandbox-client.js';

// The one mapping between the contract's ErrorKind and the client's SandboxErrorKind: the sandbox pool reads
// its runtimes' results with it, the sandbox service writes its replies with it, the NATS client reads them.

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

/** The contract's ErrorKind of a client-side kind (`null`: no error). */
export function fromSandboxErrorKind(kind: SandboxErrorKind | null): sandboxV1.ErrorKind {
  switch (kind) {
    case null:
      return sandboxV1.ErrorKind.ERROR_KIND_UNSPECIFIED;
    case 'syntax':
      return sandboxV1.ErrorKind.ERROR_KIND_SYNTAX;
    case 'runtime':
      return sandboxV1.ErrorKind.ERROR_KIND_RUNTIME;
    case 'timeout':
      return sandboxV1.ErrorKind.ERROR_KIND_TIMEOUT;
    case 'memory':
      return sandboxV1.ErrorKind.ERROR_KIND_MEMORY;
    case 'output_limit':
      return sandboxV1.ErrorKind.ERROR_KIND_OUTPUT_LIMIT;
    case 'internal':
      return sandboxV1.ErrorKind.ERROR_KIND_INTERNAL;
  }
}
