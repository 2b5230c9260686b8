import { cumulativeProgram, parseStep } from '@rstar/step-format';
import { describe, expect, it } from 'vitest';
import { convertGsm8kSolution, evaluateArithmetic, parseNumber, renderTraceSteps, toPythonExpression, variableName } from './gsm8k-trace.js';

// Solution lines are real GSM8K train solutions (ids given), one per awkward kind.
function convert(problem: string, solution: string, answer: string): string {
  const result = convertGsm8kSolution(problem, solution, answer);
  if (!result.ok) throw new Error(`not converted: ${result.reason}`);
  return renderTraceSteps(result.trace).join('');
}

describe('convertGsm8kSolution', () => {
  it('turns each line into a step and reuses earlier results by name (gsm8k-train-0001)', () => {
    const text = convert(
      'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?',
      'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.',
      '72',
    );
    expect(text).toBe(
      [
        '\n<code>',
        '# Natalia sold 48/2 = 24 clips in May.',
        'clips_may = 48 / 2',
        '<end_of_step>',
        '# Natalia sold 48+24 = 72 clips altogether in April and May.',
        'clips_april = 48 + clips_may',
        'print(clips_april)',
        '<end_of_code>',
      ].join('\n'),
    );
  });

  it('keeps a given number literal when it also equals an earlier result', () => {
    // gsm8k-train-0003: 15 is given in the problem; 50 and 30 are results of earlier lines.
    const text = convert(
      'Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. Her parents decided to give her $15 for that purpose, and her grandparents twice as much as her parents. How much more money does Betty need to buy the wallet?',
      "In the beginning, Betty has only 100 / 2 = $<<100/2=50>>50.\nBetty's grandparents gave her 15 * 2 = $<<15*2=30>>30.\nThis means, Betty needs 100 - 50 - 30 - 15 = $<<100-50-30-15=5>>5 more.",
      '5',
    );
    expect(text).toContain('more = 100 - beginning_betty - betty_grandparents - 15\nprint(more)\n<end_of_code>');
  });

  it('handles commas in the stated numbers (gsm8k-train-6192)', () => {
    const text = convert(
      'A stadium has 60,000 seats. 75% of the seats were sold, and 5,000 fans stayed home. How many attended?',
      'The number of seats sold was 0.75*60,000=<<0.75*60000=45000>>45,000.\nAnd 45,000-5,000=<<45000-5000=40000>>40,000.',
      '40000',
    );
    expect(text).toContain('# The number of seats sold was 0.75*60,000=45,000.\nnumber_seats = 0.75 * 60000\n');
    expect(text).toContain('result = number_seats - 5000\n');
  });

  it('reads "x" for times in the text and keeps "$" units out of the code (gsm8k-train-7249)', () => {
    const text = convert('Mikail is 3 times as old... he gets $5 per year of age.', 'Mikail is 9 because 3 x 3 = <<3*3=9>>9\nHe will get $45 because 9 x $5 = $<<9*5=45>>45', '45');
    expect(text).toContain('# Mikail is 9 because 3 x 3 = 9\n');
    expect(text).toContain('mikail = 3 * 3\n');
    expect(text).toContain('result = mikail * 5\nprint(result)');
  });

  it('keeps percentages of the text in the comment (gsm8k-train-0435)', () => {
    const text = convert('He has had 8 haircuts and needs 2 more to reach his goal. What percentage of the way is he?', 'His goal is 10 haircuts because 8 + 2 = <<8+2=10>>10\nHe is 80% there because (8 / 10) x 100 = <<(8/10)*100=80>>80', '80');
    expect(text).toContain('# He is 80% there because (8 / 10) x 100 = 80\n');
    expect(text).toContain('goal_haircuts = 8 + 2\n');
    expect(text).toContain('result = (8 / goal_haircuts) * 100\nprint(result)');
  });

  it('converts fractions and decimals without a leading zero (gsm8k-train-4023)', () => {
    const text = convert(
      'Each session is 30 minutes, twice a day. How many hours a week?',
      'Each session is 30/60=<<30/60=.5>>.5 hours\nSo she spends .5*2=<<.5*2=1>>1 hour a day\nSo she spends 1*7=<<1*7=7>>7 hours a week',
      '7',
    );
    expect(text).toContain('hours = 30 / 60\n');
    expect(text).toContain('hour_day = hours * 2\n');
  });

  it('keeps lines without annotations as comment-only steps (gsm8k-train-3819)', () => {
    const text = convert('Anya has 672 balloons in 4 colors and takes half of the yellow ones home.', '672/4 = <<672/4=168>>168 balloons\n168 * (1/2) = <<168*(1/2)=84>>84 balloons\nAnya took 84 balloons home.', '84');
    const steps = text.split(/(?<=<end_of_step>|<end_of_code>)/);
    expect(steps).toHaveLength(3);
    expect(steps[2]).toBe('\n# Anya took 84 balloons home.\nprint(balloons_2)\n<end_of_code>');
  });

  it('prints the last result equal to the gold answer when the solution ends on a restatement', () => {
    const result = convertGsm8kSolution('q', 'A is 2+3 = <<2+3=5>>5 apples\nB is 5*2 = <<5*2=10>>10 pears\nSo the apples are 5.', '5');
    expect(result.ok && result.trace.finalVariable).toBe('apples');
  });

  it('assigns the stated result when an annotation is not arithmetic, and counts it', () => {
    // gsm8k-train-0009: a leading "+" in the annotation.
    const result = convertGsm8kSolution('q', 'She spent S + 30 + 46 + 38 + 11 + 18 = S + <<+30+46+38+11+18=143>>143.', '143');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.trace.literalFallbacks).toBe(0);
    expect(result.trace.steps[0]?.code[0]).toMatch(/ = 30 \+ 46 \+ 38 \+ 11 \+ 18$/);
    const words = convertGsm8kSolution('q', 'It is <<two*3=6>>6 cats', '6');
    expect(words.ok && words.trace.literalFallbacks).toBe(1);
    expect(words.ok && words.trace.steps[0]?.code[0]).toBe('cats = 6');
  });

  it('reports solutions it cannot convert', () => {
    expect(convertGsm8kSolution('q', '  \n', '1')).toEqual({ ok: false, reason: 'empty-solution' });
    expect(convertGsm8kSolution('q', 'Let x be the price.\nThen 4x = 20, so x = 5', '5')).toEqual({ ok: false, reason: 'no-annotations' });
  });

  it('writes steps that the step parser reads back as code steps and one final code step', () => {
    const result = convertGsm8kSolution('q', 'a = <<1+1=2>>2 cats\nb = <<2*3=6>>6 dogs', '6');
    if (!result.ok) throw new Error('not converted');
    const parsed = renderTraceSteps(result.trace).map((t) => parseStep(t, null));
    expect(parsed.map((p) => p.kind)).toEqual(['code', 'final_code']);
    expect(cumulativeProgram(parsed)).toBe('# a = 2 cats\ncats = 1 + 1\n# b = 6 dogs\ndogs = cats * 3\nprint(dogs)');
  });
});

describe('toPythonExpression', () => {
  it('normalises the notations seen in annotations', () => {
    expect(toPythonExpression('1,080/2')).toBe('1080 / 2');
    expect(toPythonExpression('$12x3')).toBe('12 * 3');
    expect(toPythonExpression('2^3')).toBe('2 ** 3');
    expect(toPythonExpression('20%*50')).toBe('(20 / 100) * 50');
    expect(toPythonExpression('08*2')).toBe('8 * 2');
    expect(toPythonExpression('-5+3')).toBe('-5 + 3');
    expect(toPythonExpression('12÷4')).toBe('12 / 4');
  });
  it('rejects what is not arithmetic', () => {
    expect(toPythonExpression('x+2')).toBeNull();
    expect(toPythonExpression('(2+3')).toBeNull();
    expect(toPythonExpression('2+')).toBeNull();
    expect(toPythonExpression('')).toBeNull();
  });
});

describe('evaluateArithmetic', () => {
  it('follows precedence, parentheses, unary minus and names', () => {
    const tokens = (s: string): string[] => s.match(/[A-Za-z_]\w*|\d*\.?\d+|\*\*|[+\-*/()]/g) ?? [];
    expect(evaluateArithmetic(tokens('60 / (2 / 3)'))).toBeCloseTo(90);
    expect(evaluateArithmetic(tokens('2 + 3 * 4 ** 2'))).toBe(50);
    expect(evaluateArithmetic(tokens('-5 + a'), new Map([['a', 8]]))).toBe(3);
    expect(evaluateArithmetic(tokens('(1 + 2'))).toBeNaN();
    expect(evaluateArithmetic(tokens('b * 2'))).toBeNaN();
  });
  it('decides whether unannotated text is converted: only when its arithmetic gives what it states', () => {
    // gsm8k-train-0316: "200/300 = 2/3" is not a calculation stated as 2; "60 days / (2/3) = 90" is annotated.
    const wrongStatement = convertGsm8kSolution('q', 'She has 10 + 5 = 16 apples.', '16');
    expect(wrongStatement).toEqual({ ok: false, reason: 'no-annotations' });
    const plain = convertGsm8kSolution('q', 'She bought 4 tops for a total of $20 so 20/4 = $5', '5');
    expect(plain.ok && plain.trace.steps[0]?.code).toEqual(['bought_tops = 20 / 4', 'print(bought_tops)']);
    expect(plain.ok && plain.trace.implicitCalculations).toBe(1);
  });
});

describe('parseNumber and variableName', () => {
  it('parses stated results', () => {
    expect(parseNumber('1,080')).toBe(1080);
    expect(parseNumber('$5.50')).toBe(5.5);
    expect(parseNumber('144.00')).toBe(144);
    expect(parseNumber('five')).toBeNull();
  });
  it('names a result after the words that follow it, else those before it, never a Python name', () => {
    const line = 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.';
    expect(variableName(line, line.indexOf('<<'), '<<48/2=24>>'.length)).toBe('clips_may');
    const before = 'Working 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.';
    expect(variableName(before, before.indexOf('<<'), '<<0.2*50=10>>'.length)).toBe('working_minutes');
    const reserved = 'The sum is <<2+2=4>>4 sum';
    expect(variableName(reserved, reserved.indexOf('<<'), '<<2+2=4>>'.length)).toBe('sum_value');
  });
});
