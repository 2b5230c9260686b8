import type { Command } from 'commander';
import { CliUsageError } from './cli-errors.js';
import { startGrader } from './solver-runtime.js';

export function registerGradeCommand(program: Command): void {
  program
    .command('grade')
    .description('Say whether two answers are mathematically equivalent (math-verify)')
    .argument('<answer>', 'the answer to check, e.g. "0.5" or "\\frac{1}{2}"')
    .argument('<reference>', 'the reference answer')
    .option('--json', 'print the verdict as JSON', false)
    .action(async (answer: string, reference: string, options: { json: boolean }) => {
      if (answer.trim() === '' || reference.trim() === '') throw new CliUsageError('both answers must be non-empty');
      const grader = startGrader();
      try {
        const verdict = await grader.grade(answer, reference);
        if (options.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
        else if (verdict.error) process.stdout.write(`cannot grade: ${verdict.error}\n`);
        else process.stdout.write(`${verdict.equivalent ? 'equivalent' : 'not equivalent'} (${verdict.answerParsed} vs ${verdict.referenceParsed})\n`);
        // Exit status says the verdict, so scripts can use it: 0 equivalent, 1 not, 2 could not grade.
        process.exitCode = verdict.error ? 2 : verdict.equivalent ? 0 : 1;
      } finally {
        await grader.close();
      }
    });
}
