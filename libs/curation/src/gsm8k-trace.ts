import { Markers } from '@rstar/step-format';

/**
 * Converts a GSM8K worked solution into a code-augmented trace (METHOD.md §6a). Each solution line becomes
 * one step: its words, annotations removed, as the `#` comment, and each `<<expression=result>>` annotation
 * as an assignment to a named variable. A later expression that reuses an earlier result uses its variable.
 * The last step prints the final variable and ends the program. The program is run and graded elsewhere.
 */

export interface ConvertedStep {
  /** The comment line (the solution line without its annotations). */
  comment: string;
  /** The Python lines of this step (assignments; the last step also prints). */
  code: string[];
}

export interface ConvertedTrace {
  steps: ConvertedStep[];
  /** The variable the last step prints. */
  finalVariable: string;
  /** Annotations whose expression was not Python arithmetic and whose stated result was assigned instead. */
  literalFallbacks: number;
  /** Calculations taken from lines without annotations (`20/4 = $5`). */
  implicitCalculations: number;
}

/** One calculation of a line: where it is (for naming its variable), its expression and stated result. */
interface Calculation {
  at: number;
  length: number;
  expression: string;
  stated: number | null;
  /** Found in plain text rather than in a `<<…>>` annotation. */
  implicit: boolean;
}

function annotatedCalculations(line: string): Calculation[] {
  const found: Calculation[] = [];
  for (const match of line.matchAll(ANNOTATION)) {
    const annotation = match[1] ?? '';
    const eq = annotation.indexOf('=');
    if (eq < 0) continue;
    found.push({ at: match.index, length: match[0].length, expression: annotation.slice(0, eq), stated: parseNumber(annotation.slice(annotation.lastIndexOf('=') + 1)), implicit: false });
  }
  return found;
}

const NUMBER_TEXT = String.raw`\$?\d[\d,]*(?:\.\d+)?%?`;
const PLAIN_CALCULATION = new RegExp(String.raw`(?<![\w.])(\(?${NUMBER_TEXT}\)?(?:\s*[-+*/x×÷−–]\s*\(?${NUMBER_TEXT}\)?)+)\s*=\s*(${NUMBER_TEXT})(?!\d|/|\.\d|\s+\d)`, 'g');

/**
 * Whether a converted expression evaluates to the stated result (within GSM8K's rounding). The expression
 * holds only numbers, operators, parentheses and earlier variables (toPythonExpression checked it).
 */
function statesItsValue(expression: string, stated: number | null, earlier: readonly Assigned[]): boolean {
  if (stated === null) return false;
  const values = new Map(earlier.map((a) => [a.name, a.value]));
  const value = evaluateArithmetic(expression.match(/[A-Za-z_][A-Za-z0-9_]*|\d*\.?\d+|\*\*|[+\-*/()]/g) ?? [], values);
  return Number.isFinite(value) && Math.abs(value - stated) <= 0.01 * Math.max(1, Math.abs(stated));
}

/** Evaluates + - * / ** and parentheses over numbers and named values (recursive descent; NaN if malformed). */
export function evaluateArithmetic(tokens: readonly string[], values: ReadonlyMap<string, number> = new Map()): number {
  let i = 0;
  const sum = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const product = (): number => {
    let v = unary();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * unary() : v / unary();
    return v;
  };
  const unary = (): number => (tokens[i] === '-' ? (i++, -unary()) : power());
  const power = (): number => {
    const base = atom();
    return tokens[i] === '**' ? (i++, base ** unary()) : base;
  };
  const atom = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      return tokens[i++] === ')' ? v : NaN;
    }
    if (t === undefined) return NaN;
    return /^\d*\.?\d+$/.test(t) ? Number(t) : (values.get(t) ?? NaN);
  };
  const result = sum();
  return i === tokens.length ? result : NaN;
}

/** `She bought 4 tops, so 20/4 = $5` → the calculation `20/4` stated as 5. */
function plainCalculations(line: string): Calculation[] {
  return [...line.matchAll(PLAIN_CALCULATION)].map((m) => ({
    at: m.index,
    length: m[0].length,
    expression: m[1] ?? '',
    stated: parseNumber(m[2] ?? ''),
    implicit: true,
  }));
}

export const CONVERSION_FAILURES = ['empty-solution', 'no-annotations'] as const;
export type ConversionFailure = (typeof CONVERSION_FAILURES)[number];

export type ConversionResult = { ok: true; trace: ConvertedTrace } | { ok: false; reason: ConversionFailure };

interface Assigned {
  name: string;
  value: number;
}

const ANNOTATION = /<<([^<>]*?)>>/g;

export function convertGsm8kSolution(problem: string, solution: string, goldAnswer: string): ConversionResult {
  const lines = solution
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) return { ok: false, reason: 'empty-solution' };

  const problemNumbers = new Set([...problem.replace(/(\d),(?=\d{3}\b)/g, '$1').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0])));
  const assigned: Assigned[] = [];
  const names = new Set<string>();
  let literalFallbacks = 0;
  let implicit = 0;
  const steps: ConvertedStep[] = lines.map((line) => {
    const code: string[] = [];
    const calculations = annotatedCalculations(line);
    if (calculations.length === 0) {
      // A line whose arithmetic was left unannotated (`20/4 = $5`) is converted the same way.
      calculations.push(...plainCalculations(line));
    }
    for (const calc of calculations) {
      let expression = toPythonExpression(calc.expression, assigned, problemNumbers);
      // Unannotated text is only trusted where its arithmetic gives what it states.
      if (calc.implicit && (expression === null || !statesItsValue(expression, calc.stated, assigned))) continue;
      if (expression === null) {
        if (calc.stated === null) continue;
        expression = formatNumber(calc.stated);
        literalFallbacks++;
      }
      const name = uniqueName(variableName(line, calc.at, calc.length), names);
      names.add(name);
      code.push(`${name} = ${expression}`);
      if (calc.implicit) implicit++;
      if (calc.stated !== null) assigned.push({ name, value: calc.stated });
    }
    return { comment: line.replace(ANNOTATION, '').replace(/\s+/g, ' ').trim(), code };
  });
  if (assigned.length === 0 && !steps.some((s) => s.code.length > 0)) return { ok: false, reason: 'no-annotations' };

  const finalVariable = chooseFinalVariable(assigned, steps, goldAnswer);
  const last = steps.at(-1) as ConvertedStep;
  last.code.push(`print(${finalVariable})`);
  return { ok: true, trace: { steps, finalVariable, literalFallbacks, implicitCalculations: implicit } };
}

/** The last result equal to the gold answer (solutions often end on a restatement), else the last result. */
function chooseFinalVariable(assigned: Assigned[], steps: ConvertedStep[], goldAnswer: string): string {
  const gold = parseNumber(goldAnswer);
  const matching = gold === null ? undefined : [...assigned].reverse().find((a) => Math.abs(a.value - gold) < 1e-9);
  if (matching) return matching.name;
  const lastAssigned = assigned.at(-1);
  if (lastAssigned) return lastAssigned.name;
  // Only fallbacks without a stated result: print the last variable written.
  const lastCode = steps.flatMap((s) => s.code).at(-1) ?? '';
  return lastCode.slice(0, lastCode.indexOf(' ='));
}

/** The steps as the policy writes them after the SFT prompt (what `parseStep` reads back). */
export function renderTraceSteps(trace: ConvertedTrace): string[] {
  return trace.steps.map((step, i) => {
    const first = i === 0 ? `\n${Markers.code}` : '';
    const end = i === trace.steps.length - 1 ? Markers.endOfCode : Markers.endOfStep;
    const comment = step.comment.length > 0 ? [`# ${step.comment}`] : [];
    return `${first}\n${[...comment, ...step.code].join('\n')}\n${end}`;
  });
}

/** The answer step that follows the program's output. */
export function renderAnswerStep(answer: string): string {
  return `${Markers.answer}The answer is \\boxed{${answer}}.${Markers.endOfAnswer}`;
}

/**
 * An annotation's left side as Python arithmetic, or null when it is not arithmetic (words, units).
 * Handles thousands separators, currency signs, `x`/`×` for times, `÷`, `^`, percentages and leading zeros;
 * numbers equal to an earlier result (and not given in the problem) become that result's variable.
 */
export function toPythonExpression(raw: string, earlier: readonly Assigned[] = [], problemNumbers: ReadonlySet<number> = new Set()): string | null {
  let e = raw
    .replace(/[$€£¢]/g, '')
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
    .replace(/\s+/g, '')
    .replace(/[×xX](?=[\d.(])/g, '*')
    .replace(/÷/g, '/')
    .replace(/\^/g, '**')
    .replace(/[–−]/g, '-');
  if (e.length === 0) return null;
  // Numbers, each possibly a percentage; replaced left to right.
  let invalid = false;
  e = e.replace(/\d*\.?\d+%?/g, (token) => {
    const percent = token.endsWith('%');
    const digits = percent ? token.slice(0, -1) : token;
    const value = Number(digits);
    if (!Number.isFinite(value)) {
      invalid = true;
      return token;
    }
    const literal = digits.includes('.') ? digits.replace(/^0+(?=\d)/, '') : String(BigInt(digits));
    const reused = problemNumbers.has(value) ? undefined : [...earlier].reverse().find((a) => Math.abs(a.value - value) < 1e-12);
    const operand = reused ? reused.name : literal;
    return percent ? `(${operand}/100)` : operand;
  });
  if (invalid) return null;
  // After numbers became names, only operators and parentheses may remain besides them.
  const tokens = e.match(/[A-Za-z_][A-Za-z0-9_]*|\d*\.?\d+|\*\*|[+\-*/()]|./g) ?? [];
  const known = new Set(earlier.map((a) => a.name));
  if (!tokens.every((t) => /^(\d*\.?\d+|\*\*|[+\-*/()])$/.test(t) || known.has(t)) || !balanced(tokens)) return null;
  return joinTokens(tokens);
}

/** `48+clips_may` → `48 + clips_may`; a unary minus stays attached; null when operators are misplaced. */
function joinTokens(tokens: string[]): string | null {
  let out = '';
  let expectOperand = true;
  for (const t of tokens) {
    const isOperator = t === '+' || t === '-' || t === '*' || t === '/' || t === '**';
    if (t === '(') {
      if (!expectOperand) return null;
      out += t;
    } else if (t === ')') {
      if (expectOperand) return null;
      out += t;
    } else if (isOperator) {
      if (expectOperand) {
        if (t === '+') continue; // a unary plus adds nothing
        if (t !== '-') return null;
        out += t; // unary minus
      } else {
        out += ` ${t} `;
        expectOperand = true;
      }
    } else {
      if (!expectOperand) return null;
      out += t;
      expectOperand = false;
    }
  }
  return expectOperand ? null : out;
}

function balanced(tokens: readonly string[]): boolean {
  let depth = 0;
  for (const ch of tokens) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** A stated result such as `24`, `1,080`, `$5.50`, `12.5%`; null when it is not a number. */
export function parseNumber(raw: string): number | null {
  const cleaned = raw.replace(/[$€£,\s]/g, '').replace(/%$/, '');
  if (!/^-?\d*\.?\d+$/.test(cleaned)) return null;
  return Number(cleaned);
}

function formatNumber(value: number): string {
  return String(value);
}

const STOP_WORDS = new Set(
  'a an the in on at of to and or for with by from is are was were be been will would that this these those it its he she they them his her their him we you i so then if as than there has have had do does did can could into out up which who what when how all also but not no yes one after before over about just now altogether because will get got there only'.split(' '),
);

const RESERVED = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield print sum min max abs int float str round len list dict set type id input pow range math sympy numpy np divmod map filter sorted open format hash object all any bin hex oct ord chr'.split(' '),
);

/**
 * A variable name from the words after the annotation (`24 clips in May` → `clips_may`), else from the first
 * words of its clause (`Mikail is 9 because 3 x 3 = 9` → `mikail`), else `result`.
 */
export function variableName(line: string, at: number, length: number): string {
  const after = line.slice(at + length).replace(/^[\d.,$%]*/, '');
  const afterWords = contentWords(after.split(/[.,;:!?(]/)[0] ?? '').slice(0, 2);
  const before = line.slice(0, at).split(/[.;:!?](?=\s|$)/).at(-1) ?? '';
  const words = afterWords.length > 0 ? afterWords : contentWords(before).slice(0, 2);
  let name = words.join('_').slice(0, 24).replace(/_+$/, '');
  if (name.length === 0) name = 'result';
  if (/^\d/.test(name)) name = `n_${name}`;
  if (RESERVED.has(name)) name = `${name}_value`;
  return name;
}

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
