import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson-interval.js';

describe('wilsonInterval', () => {
  it('matches hand-computed 95% intervals', () => {
    // 3/10: p = 0.3, z² = 3.8415; centre = (0.3 + 0.19207)/1.38415 = 0.35550; half = 1.95996/1.38415 · sqrt(0.021 + 0.0096037) = 0.24771.
    const a = wilsonInterval(3, 10);
    expect(a.low).toBeCloseTo(0.10779, 4);
    expect(a.high).toBeCloseTo(0.60322, 4);
    // 0/5: low 0, high = z²/(n + z²) = 3.8415/8.8415.
    const b = wilsonInterval(0, 5);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.43449, 4);
    // 20/200: centre = (0.1 + 0.0096037)/1.019207 = 0.107537; half = 1.923027 · sqrt(0.00045 + 0.0000240) = 0.041868.
    const c = wilsonInterval(20, 200);
    expect(c.low).toBeCloseTo(0.065669, 5);
    expect(c.high).toBeCloseTo(0.149405, 5);
  });

  it('is symmetric in successes and failures, and [0, 1] for no trials', () => {
    const a = wilsonInterval(7, 9);
    const b = wilsonInterval(2, 9);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
    expect(wilsonInterval(4, 4).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});
