import { ppmV1 } from '@rstar/contracts';
import { describe, expect, it } from 'vitest';
import { scoreRequestFromProto, scoreRequestToProto } from './nats-ppm-client.js';

describe('PPM contract mapping', () => {
  it('carries the question and each trajectory in order over the wire', () => {
    const stepsList = [['a'], ['a', 'b'], []];
    const json = JSON.parse(JSON.stringify(ppmV1.ScoreRequest.toJSON(scoreRequestToProto('Q', stepsList)))) as unknown;
    expect(json).toEqual({ question: 'Q', trajectories: [{ steps: ['a'] }, { steps: ['a', 'b'] }, {}] });
    expect(scoreRequestFromProto(ppmV1.ScoreRequest.fromJSON(json))).toEqual({ question: 'Q', stepsList });
  });
});
