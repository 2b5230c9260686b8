// Grades per second through MathVerifyGrader (one worker, calls queued) on simple GSM8K/MATH-style pairs.
//   npx tsx --tsconfig tsconfig.base.json tools/bench/grader-bench.ts [count=400]
// Every pair is distinct, so math-verify's small parse caches do not flatter the number.
import { MathVerifyGrader } from '@rstar/grader';

const count = Number(process.argv[2] ?? 400);

function pair(i: number): [string, string, boolean] {
  const n = 10 + i;
  switch (i % 5) {
    case 0:
      return [`${n}`, `${n}.0`, true];
    case 1:
      return [String.raw`\frac{${n}}{4}`, `${n / 4}`, true];
    case 2:
      return [`${n} dollars`, `${n + 1}`, false];
    case 3:
      return [String.raw`\boxed{${n}\%}`, `${n / 100}`, true];
    default:
      return [(n * 1000).toLocaleString('en-US'), `${n * 1000}`, true];
  }
}

async function main(): Promise<void> {
  const grader = new MathVerifyGrader();
  try {
    let t = performance.now();
    await grader.grade('1', '1');
    console.log(`worker start + first grade: ${((performance.now() - t) / 1000).toFixed(2)} s`);

    const pairs = Array.from({ length: count }, (_, i) => pair(i));
    t = performance.now();
    let wrong = 0;
    let errors = 0;
    await Promise.all(
      pairs.map(async ([answer, reference, expected]) => {
        const res = await grader.grade(answer, reference);
        if (res.error !== null) errors++;
        else if (res.equivalent !== expected) wrong++;
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    console.log(
      `${count} grades in ${seconds.toFixed(2)} s: ${(count / seconds).toFixed(1)} grades/s ` +
        `(${((seconds / count) * 1000).toFixed(2)} ms each; unexpected verdicts ${wrong}, errors ${errors})`,
    );
  } finally {
    await grader.close();
  }
}

await main();
