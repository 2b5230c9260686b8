import { describe, expect, it } from 'vitest';
import { GraderUnavailableError, MathVerifyGrader, MathVerifyGraderConfigSchema } from './math-verify-grader.js';

describe('MathVerifyGrader config', () => {
  it('defaults to the workspace venv and a 5 s budget', () => {
    const config = MathVerifyGraderConfigSchema.parse({});
    expect(config.pythonPath).toMatch(/\/\.venv\/bin\/python$/);
    expect(config.timeoutS).toBe(5);
    expect(config.killGraceS).toBe(1);
  });

  it('rejects a non-positive timeout', () => {
    expect(() => new MathVerifyGrader({ timeoutS: 0 })).toThrow();
  });
});

describe('MathVerifyGrader without a usable Python', () => {
  it('says to run tools/setup when the interpreter is missing', async () => {
    const grader = new MathVerifyGrader({ pythonPath: '/nonexistent/.venv/bin/python' });
    const attempt = grader.grade('1', '1');
    await expect(attempt).rejects.toBeInstanceOf(GraderUnavailableError);
    await expect(attempt).rejects.toThrow('grader Python not found at /nonexistent/.venv/bin/python: run tools/setup');
    await grader.close();
  });

  it('reports a worker that exits at start-up, and tries again on the next call', async () => {
    // /bin/false ignores `-m rstar_grader.worker` and exits 1, like a venv without the package.
    const grader = new MathVerifyGrader({ pythonPath: '/bin/false' });
    await expect(grader.grade('1', '1')).rejects.toThrow(/grader worker failed to start \(exit code 1\): run tools\/setup/);
    await expect(grader.grade('1', '1')).rejects.toBeInstanceOf(GraderUnavailableError);
    await grader.close();
  });

  it('refuses to grade once closed', async () => {
    const grader = new MathVerifyGrader({ pythonPath: '/bin/false' });
    await grader.close();
    await expect(grader.grade('1', '1')).rejects.toThrow('MathVerifyGrader is closed');
  });
});
