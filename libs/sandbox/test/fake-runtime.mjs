// A stand-in for the sandbox runtime that speaks its protocol, for the pool's unit tests. What it does
// depends on the program: "hang" never answers, "die" exits, "garbage" answers with a non-JSON line,
// "wrong-id" answers for another request, "sleep:N" answers after N ms; anything else echoes.
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, code } = JSON.parse(line);
  const reply = (stdout, extra = {}) =>
    process.stdout.write(
      `${JSON.stringify({ id, ok: true, stdout, errorKind: 'ERROR_KIND_UNSPECIFIED', errorMessage: '', durationMs: 1, ...extra })}\n`,
    );
  if (code === "print('ready')") return reply('ready\n');
  if (code === 'hang') return;
  if (code === 'die') {
    process.stderr.write('fake: dying\n');
    process.exit(3);
  }
  if (code === 'garbage') return process.stdout.write('not json\n');
  if (code === 'wrong-id') return process.stdout.write(`${JSON.stringify({ id: 'other', ok: true })}\n`);
  if (code === 'error') return reply('', { ok: false, errorKind: 'ERROR_KIND_RUNTIME', errorMessage: 'ValueError: x' });
  if (code === 'timeout') return reply('', { ok: false, errorKind: 'ERROR_KIND_TIMEOUT', errorMessage: 'wall' });
  if (code.startsWith('sleep:')) return setTimeout(() => reply(`${code}\n`), Number(code.slice(6)));
  reply(`${code}\n`);
});
