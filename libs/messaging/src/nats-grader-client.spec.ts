import type { GradeResult } from '@rstar/clients';
import { graderV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import { gradeResultFromProto, gradeResultToProto } from './nats-grader-client.js';

describe('grader contract mapping', () => {
  it('carries graded and ungradable pairs over the wire unchanged', () => {
    const results: GradeResult[] = [
      { equivalent: true, answerParsed: '1/2', referenceParsed: '0.5', error: null },
      { equivalent: false, answerParsed: '', referenceParsed: '', error: 'grading timed out after 5s' },
    ];
    for (const result of results) {
      const json = JSON.parse(JSON.stringify(graderV1.GradeResult.toJSON(gradeResultToProto('g', result)))) as unknown;
      expect(gradeResultFromProto(graderV1.GradeResult.fromJSON(json))).toEqual(result);
    }
  });

  it('never reads an ungradable pair as equivalent', () => {
    expect(gradeResultFromProto({ id: '', equivalent: true, answerParsed: '', referenceParsed: '', error: 'parse failure' }).equivalent).toBe(false);
  });
});
