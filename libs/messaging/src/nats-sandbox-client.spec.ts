import type { SandboxRunResult } from '@rstar/clients';
import { sandboxV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import { runResultFromProto, runResultToProto } from './nats-sandbox-client.js';

describe('sandbox contract mapping', () => {
  it('carries clean and failed runs over the wire unchanged', () => {
    const results: SandboxRunResult[] = [
      { ok: true, stdout: '2\n', errorKind: null, errorMessage: '', durationMs: 12.5, cached: false },
      { ok: false, stdout: '', errorKind: 'syntax', errorMessage: 'SyntaxError: invalid syntax', durationMs: 3, cached: true },
      { ok: false, stdout: 'partial', errorKind: 'timeout', errorMessage: 'wall time limit', durationMs: 10_000, cached: false },
    ];
    for (const result of results) {
      const json = JSON.parse(JSON.stringify(sandboxV1.RunResult.toJSON(runResultToProto('r1', result)))) as unknown;
      expect(runResultFromProto(sandboxV1.RunResult.fromJSON(json))).toEqual(result);
    }
    expect(sandboxV1.RunResult.toJSON(runResultToProto('r1', results[1]!))).toMatchObject({ id: 'r1', errorKind: 'ERROR_KIND_SYNTAX' });
  });
});
