const BOX_COMMANDS = ['\\boxed', '\\fbox'] as const;

/**
 * The content of the last `\boxed{...}` (or `\fbox{...}`) in `text`, braces balanced, or null.
 * `\boxed 5` (no braces) yields the following token, as LaTeX reads it.
 */
export function extractBoxed(text: string): string | null {
  let best: { at: number; content: string } | null = null;
  for (const command of BOX_COMMANDS) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(command, from);
      if (at < 0) break;
      from = at + command.length;
      const content = readArgument(text, from);
      if (content !== null && (best === null || at > best.at)) best = { at, content };
    }
  }
  return best === null ? null : best.content.trim();
}

/** Reads one LaTeX argument starting at `start` (after optional spaces): a balanced `{...}` or one token. */
function readArgument(text: string, start: number): string | null {
  let i = start;
  while (i < text.length && text[i] === ' ') i++;
  if (text[i] !== '{') {
    // A letter right after the command means another command (\boxedfoo), not an argument.
    if (i === start && /[A-Za-z]/.test(text[i] ?? '')) return null;
    const token = /^[^\s$}]+/.exec(text.slice(i));
    return token ? token[0] : null;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') {
      j++; // an escaped brace does not count
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return text.slice(i + 1, j);
    }
  }
  return null; // unbalanced: no answer rather than a wrong one
}
