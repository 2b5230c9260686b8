import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MathVerifyGrader } from '../src/index.js';

// Starting a worker imports sympy (seconds on a busy machine); restarts happen several times below.
const SLOW = 120_000;
// Interruptible but endless for sympy: the worker's own timer ends it.
const TOWER = String.raw`9^{9^{9^{9}}}`;

/** [answer, reference, equivalent] as GSM8K / MATH write references and models write answers. */
const PAIRS: [string, string, boolean][] = [
  ['18', '18.0', true],
  ['18.5', '18', false],
  [String.raw`\frac{1}{2}`, '0.5', true],
  ['0.55', String.raw`\frac{1}{2}`, false],
  [String.raw`50\%`, '0.5', true],
  [String.raw`50\%`, '50', true],
  ['5', String.raw`50\%`, false],
  ['(1,2]', '(1, 2]', true],
  ['(1,2)', '(1, 2]', false],
  [String.raw`\{2,1\}`, String.raw`\{1,2\}`, true],
  [String.raw`\{1,3\}`, String.raw`\{1,2\}`, false],
  ['(3,-1)', '(3, -1)', true],
  ['(-1,3)', '(3, -1)', false],
  ['x=3', '3', true],
  ['x=4', '3', false],
  [String.raw`18 \text{ dollars}`, '18', true],
  [String.raw`\$18`, '18', true],
  ['18 dollars', '18', true],
  ['19 dollars', '18', false],
  [String.raw`\dfrac{1}{2}`, String.raw`\frac12`, true],
  [String.raw`The answer is $\boxed{18}$.`, '18', true],
  [String.raw`\boxed{17}`, '18', false],
  ['1,080', '1080', true],
  ['1,008', '1080', false],
  ['sqrt(2)/2', String.raw`\frac{\sqrt{2}}{2}`, true],
  ['sqrt(3)/2', String.raw`\frac{\sqrt{2}}{2}`, false],
  ['pi/2', String.raw`\frac{\pi}{2}`, true],
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Process ids of this test process's live (not zombie) children, but for the `ps` that lists them. */
function livingChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, stat, comm]) => pid && stat && !stat.startsWith('Z') && comm !== 'ps')
    .map(([pid]) => pid!);
}

/** Waits until the client has noticed its worker is gone (the exit event is asynchronous). */
async function waitForExit(grader: MathVerifyGrader): Promise<void> {
  for (let i = 0; i < 200 && grader.workerPid !== undefined; i++) await sleep(25);
  expect(grader.workerPid).toBeUndefined();
}

describe('MathVerifyGrader against the real worker', () => {
  const grader = new MathVerifyGrader();
  beforeAll(async () => {
    await grader.grade('1', '1'); // start the worker once for the table
  }, SLOW);
  afterAll(() => grader.close());

  const rows = PAIRS.map(([answer, reference, equivalent]) => ({ answer, reference, equivalent }));
  it.each(rows)('grades $answer against $reference as $equivalent', async ({ answer, reference, equivalent }) => {
    const result = await grader.grade(answer, reference);
    expect(result.error).toBeNull();
    expect(result.equivalent).toBe(equivalent);
  });

  it('says what it understood', async () => {
    expect(await grader.grade(String.raw`\boxed{\dfrac{1}{2}}`, '0.5')).toEqual({
      equivalent: true,
      answerParsed: '1/2',
      referenceParsed: '1/2',
      error: null,
    });
  });

  it('queues concurrent calls and matches each reply to its call', async () => {
    const results = await Promise.all(PAIRS.map(([answer, reference]) => grader.grade(answer, reference)));
    expect(results.map((r) => r.equivalent)).toEqual(PAIRS.map(([, , equivalent]) => equivalent));
  });

  it('returns an error result for ungradeable input', async () => {
    expect(await grader.grade('', '18')).toMatchObject({ equivalent: false, error: 'empty answer' });
    const odd = await grader.grade('}{\n\u2028"\\', '18');
    expect(odd.equivalent).toBe(false);
  });
});

describe('MathVerifyGrader timeouts and crashes', () => {
  const grader = new MathVerifyGrader({ timeoutS: 1, killGraceS: 0.5 });
  afterAll(() => grader.close());

  it(
    'times out a pathological pair in the worker, which stays up',
    async () => {
      await grader.grade('1', '1');
      const pid = grader.workerPid;
      const result = await grader.grade(TOWER, '1');
      expect(result).toEqual({
        equivalent: false,
        answerParsed: '',
        referenceParsed: '',
        error: 'grading timed out after 1s',
      });
      expect(grader.workerPid).toBe(pid);
      expect((await grader.grade('0.5', String.raw`\frac12`)).equivalent).toBe(true);
    },
    SLOW,
  );

  it(
    'kills a worker that stops answering and starts a new one for the next call',
    async () => {
      await grader.grade('1', '1');
      const pid = grader.workerPid!;
      process.kill(pid, 'SIGSTOP'); // as stuck as a worker can be: not even its own timer runs
      const started = Date.now();
      const result = await grader.grade('2', '2');
      expect(result).toMatchObject({ equivalent: false, error: 'grading timed out after 1s' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      const next = await grader.grade('x=3', '3');
      expect(next).toMatchObject({ equivalent: true, error: null });
      expect(grader.workerPid).not.toBe(pid);
    },
    SLOW,
  );

  it(
    'survives its worker being killed while idle',
    async () => {
      await grader.grade('1', '1');
      const pid = grader.workerPid!;
      process.kill(pid, 'SIGKILL');
      await waitForExit(grader);
      expect(await grader.grade('1,080', '1080')).toMatchObject({ equivalent: true, error: null });
      expect(grader.workerPid).not.toBe(pid);
    },
    SLOW,
  );

  it(
    'fails the call in flight when the worker is killed mid-grade, then recovers',
    async () => {
      const slow = new MathVerifyGrader({ timeoutS: 30 });
      try {
        await slow.grade('1', '1');
        const pid = slow.workerPid!;
        const inFlight = slow.grade(TOWER, '1');
        await sleep(300);
        process.kill(pid, 'SIGKILL');
        expect(await inFlight).toMatchObject({
          equivalent: false,
          error: 'grader worker died while grading (killed by SIGKILL)',
        });
        expect(await slow.grade(String.raw`\{1,2\}`, String.raw`\{2,1\}`)).toMatchObject({ equivalent: true });
      } finally {
        await slow.close();
      }
    },
    SLOW,
  );

  it(
    'does not keep a worker that was still starting when closed',
    async () => {
      const before = livingChildren();
      const starting = new MathVerifyGrader();
      const first = starting.grade('1', '1');
      await sleep(50); // the worker is spawned and importing sympy
      expect(livingChildren().length).toBe(before.length + 1);
      await starting.close();
      await expect(first).rejects.toThrow('MathVerifyGrader is closed');
      expect(livingChildren()).toEqual(before);
    },
    SLOW,
  );
});
