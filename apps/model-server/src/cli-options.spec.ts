import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, parseArgs } from './cli-options.js';

const argv = (...args: string[]): string[] => ['node', 'model-server', ...args];

/** A program that reports instead of printing, so usage errors can be asserted. */
function quiet(): ReturnType<typeof buildProgram> {
  return buildProgram().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}

describe('model-server command line', () => {
  it('has defaults for everything', () => {
    expect(parseArgs(argv(), quiet())).toEqual({
      model: 'smollm2-135m',
      host: '127.0.0.1',
      port: 8081,
      parallel: 4,
      contextSize: 4096,
      gpu: 'off',
      flashAttention: false,
      topK: 0,
    });
  });

  it('reads every option', () => {
    const config = parseArgs(
      argv('--model', 'gemma3-270m', '--host', '0.0.0.0', '--port', '0', '--threads', '1', '--parallel', '8', '--context-size', '2048', '--gpu', 'auto', '--flash-attention', '--top-k', '40'),
      quiet(),
    );
    expect(config).toEqual({ model: 'gemma3-270m', host: '0.0.0.0', port: 0, threads: 1, parallel: 8, contextSize: 2048, gpu: 'auto', flashAttention: true, topK: 40 });
  });

  it.each([['--port', '70000'], ['--parallel', '0'], ['--threads', 'two'], ['--gpu', 'cuda']])('rejects %s %s', (flag, value) => {
    expect(() => parseArgs(argv(flag, value), quiet())).toThrow(CommanderError);
  });
});
