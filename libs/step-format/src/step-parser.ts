import { extractBoxed } from './boxed.js';
import { Markers, STEP_STOP_MARKERS } from './markers.js';

/**
 * What one generated step is:
 * - `code`: reasoning comments and code, ended by `<end_of_step>`;
 * - `final_code`: the last code step, ended by `<end_of_code>`; its program's output is shown to the model;
 * - `answer`: the final answer (`<answer>` … `<end_of_answer>`); a `\boxed{}` elsewhere (a comment, a print) does not
 *   make a step an answer, or a code step that prints its result would never run;
 * - `truncated`: generation hit its token limit before any marker: treated as an error step.
 */
export type StepKind = 'code' | 'final_code' | 'answer' | 'truncated';

export interface ParsedStep {
  kind: StepKind;
  /** The step as generated, with its stop marker. */
  text: string;
  /** The natural-language reasoning: the comment lines, without `#`. */
  reasoning: string;
  /** The Python code of this step alone, markers removed (empty for answer steps). */
  code: string;
  /** For answer steps, the content of the last `\boxed{}`; null when there is none. */
  answer: string | null;
}

const CODE_CUT_MARKERS = [Markers.output, Markers.answer, Markers.endOfOutput];

/** Parses one generated step. `stopReason` is the stop string that ended generation, if any. */
export function parseStep(rawText: string, stopReason: string | null): ParsedStep {
  if (stopReason !== null && !STEP_STOP_MARKERS.includes(stopReason)) {
    // Stopped by something other than a step marker (a new user turn): the step never ended properly.
    return parseStep(rawText.endsWith(stopReason) ? rawText.slice(0, -stopReason.length) : rawText, null);
  }
  const text = stopReason && !rawText.endsWith(stopReason) ? rawText + stopReason : rawText;
  const ended = stopReason ?? STEP_STOP_MARKERS.find((m) => text.endsWith(m)) ?? null;
  if (ended === Markers.endOfAnswer || text.includes(Markers.answer)) {
    return { kind: 'answer', text, reasoning: answerReasoning(text), code: '', answer: extractBoxed(text) };
  }
  const body = stripMarkers(text);
  const kind: StepKind = ended === Markers.endOfStep ? 'code' : ended === Markers.endOfCode ? 'final_code' : 'truncated';
  return { kind, text, reasoning: commentText(body), code: kind === 'truncated' ? '' : withoutBlankEdges(body), answer: null };
}

/** Code without its leading blank lines and trailing space; the first line keeps its indentation (a loop body). */
function withoutBlankEdges(code: string): string {
  return code.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}

/** The code of a step: everything but the markers, cut where the model began writing output or an answer. */
function stripMarkers(text: string): string {
  let body = text;
  for (const cut of CODE_CUT_MARKERS) {
    const at = body.indexOf(cut);
    if (at >= 0) body = body.slice(0, at);
  }
  return body.replaceAll(Markers.code, '').replaceAll(Markers.endOfStep, '').replaceAll(Markers.endOfCode, '');
}

function commentText(code: string): string {
  return code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('#'))
    .map((line) => line.replace(/^#+\s?/, ''))
    .join('\n');
}

function answerReasoning(text: string): string {
  const start = text.indexOf(Markers.answer);
  const body = start >= 0 ? text.slice(start + Markers.answer.length) : text;
  return body.replace(Markers.endOfAnswer, '').trim();
}

/** The cumulative program of a trajectory: the code of all its steps, in order. */
export function cumulativeProgram(steps: readonly Pick<ParsedStep, 'code'>[]): string {
  return steps
    .map((s) => s.code)
    .filter((c) => c.length > 0)
    .join('\n');
}

export interface OutputFormatOptions {
  /** Output longer than this is cut (METHOD.md: 1024 characters). */
  maxChars: number;
  /** Decimals with more fractional digits than this are rounded to it. */
  maxDecimals: number;
}

export const DEFAULT_OUTPUT_FORMAT: OutputFormatOptions = { maxChars: 1024, maxDecimals: 6 };

/**
 * What the model is shown of a program's stdout: long decimals rounded, then truncated. A number in scientific
 * notation, or one that rounding would turn into 0, keeps `maxDecimals + 1` significant digits (1.2e-10 is not 0).
 */
export function formatOutput(stdout: string, options: OutputFormatOptions = DEFAULT_OUTPUT_FORMAT): string {
  const pattern = new RegExp(`-?\\d+\\.\\d{${options.maxDecimals + 1},}(?:[eE][-+]?\\d+)?`, 'g');
  const rounded = stdout.replace(pattern, (m) => {
    const value = Number(m);
    if (!Number.isFinite(value)) return m;
    const significant = (): number => Number(value.toPrecision(options.maxDecimals + 1));
    if (/[eE]/.test(m)) return significant().toExponential();
    const fixed = Number(value.toFixed(options.maxDecimals));
    return String(fixed === 0 && value !== 0 ? significant() : fixed);
  });
  const trimmed = rounded.trimEnd();
  return trimmed.length > options.maxChars ? `${trimmed.slice(0, options.maxChars)}...` : trimmed;
}

/**
 * The part of a cumulative program's stdout that a step added: the program re-runs every earlier step,
 * so the earlier stdout is normally a prefix of the new one.
 */
export function outputDelta(previousStdout: string, stdout: string): string {
  return stdout.startsWith(previousStdout) ? stdout.slice(previousStdout.length) : stdout;
}

/** The step as it enters the prompts of its descendants: a final code step carries its output. */
export function renderStep(step: ParsedStep, formattedOutput: string | null): string {
  if (step.kind === 'final_code' && formattedOutput !== null) {
    return `${step.text}\n${Markers.output}${formattedOutput}${Markers.endOfOutput}\n`;
  }
  return step.text;
}

/** A key under which two texts count as the same: whitespace differences ignored. */
export function textIdentity(text: string): string {
  return text.replace(/\s+/g, '');
}

/** A key under which two candidate steps count as the same (whitespace differences ignored). */
export function stepIdentity(step: ParsedStep): string {
  return textIdentity(step.text);
}
