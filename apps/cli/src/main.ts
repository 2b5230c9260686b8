#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliUsageError } from './cli-errors.js';
import { registerCuratedCommand } from './curated.command.js';
import { registerDatasetsCommand } from './datasets.command.js';
import { registerBootstrapCommand } from './bootstrap.command.js';
import { registerEvalCommand } from './eval.command.js';
import { registerGradeCommand } from './grade.command.js';
import { registerJobsCommand } from './jobs.command.js';
import { registerModelsCommand } from './models.command.js';
import { registerSolveCommand } from './solve.command.js';
import { registerSynthCommand } from './synth.command.js';
import { registerTrainCommand } from './train.command.js';

const program = new Command('rstar')
  .description('rStar-Math: small language models solving math by Monte Carlo Tree Search over code-augmented steps')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerSolveCommand(program);
registerEvalCommand(program);
registerGradeCommand(program);
registerJobsCommand(program);
registerModelsCommand(program);
registerDatasetsCommand(program);
registerBootstrapCommand(program);
registerSynthCommand(program);
registerCuratedCommand(program);
registerTrainCommand(program);

/** Every failure ends as one line on stderr and a non-zero exit; RSTAR_DEBUG=1 shows the stack. */
async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help / version).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`rstar: error: ${message}\n`);
    if (process.env['RSTAR_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exitCode = error instanceof CliUsageError ? 2 : 1;
  }
}

await main();
