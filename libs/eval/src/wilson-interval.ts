export interface ConfidenceInterval {
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval of a proportion `successes / n` (for accuracies near 0 or 1 and small n, where the normal
 * approximation gives bounds outside [0, 1]). n = 0 gives the whole [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): ConfidenceInterval {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval: expected integers 0 <= successes <= n, got ${successes}/${n}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamped: at p = 0 or 1 the bound equals 0 or 1 up to rounding.
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
