import { Markers } from './markers.js';

/**
 * `few-shot`: the round-1 prompt, for a model not yet fine-tuned on the format (instruction + two worked
 * demonstrations + the question). `sft`: the prompt a policy fine-tuned on the format is trained with.
 */
export type PromptStyle = 'few-shot' | 'sft';
export const PROMPT_STYLES: readonly PromptStyle[] = ['few-shot', 'sft'];

const { user, assistant, code, endOfStep, endOfCode, output, endOfOutput, answer, endOfAnswer } = Markers;

const SFT_INSTRUCTION = "Let's think step by step and solve the problem with code.";

/** The prompt a fine-tuned policy sees: METHOD.md §2, verbatim in shape. */
export function sftPrompt(question: string): string {
  return `${user}:\n${question.trim()}\n${assistant}: ${SFT_INSTRUCTION}`;
}

const FORMAT_INSTRUCTION = [
  'Solve the math problem with Python, one small step at a time.',
  `Start the program with ${code}. Each step explains its reasoning in Python comments (# ...) and then`,
  'computes with code; you may use the math, sympy, numpy and scipy libraries.',
  `End every step with ${endOfStep}. The last step prints the final result and ends with ${endOfCode}.`,
  `The program's output then appears between ${output} and ${endOfOutput}.`,
  `Finally state the answer between ${answer} and ${endOfAnswer}, with the final result in \\boxed{}.`,
].join('\n');

const DEMONSTRATIONS: readonly { question: string; solution: string }[] = [
  {
    question:
      'A bakery sells muffins for $3 each. On Monday it sold 25 muffins and on Tuesday it sold 40% more than on Monday. How much money did the bakery make on the two days together?',
    solution: [
      `${code}`,
      '# Step 1: Monday\'s sales are given.',
      'monday = 25',
      endOfStep,
      '# Step 2: Tuesday\'s sales are 40% more than Monday\'s.',
      'tuesday = monday * 140 // 100',
      endOfStep,
      '# Step 3: Each muffin brings $3; add both days and print the total.',
      'revenue = 3 * (monday + tuesday)',
      'print(revenue)',
      endOfCode,
      `${output}180${endOfOutput}`,
      `${answer}The bakery sold 25 + 35 = 60 muffins, which brought in \\boxed{180} dollars.${endOfAnswer}`,
    ].join('\n'),
  },
  {
    question: 'Find the sum of all real values of $x$ that satisfy $x^2 - 5x + 6 = 0$.',
    solution: [
      `${code}`,
      '# Step 1: Write the equation with sympy.',
      'from sympy import symbols, Eq, solve',
      "x = symbols('x')",
      'equation = Eq(x**2 - 5*x + 6, 0)',
      endOfStep,
      '# Step 2: Solve it and add the real roots; print the sum.',
      'roots = solve(equation, x)',
      'total = sum(r for r in roots if r.is_real)',
      'print(total)',
      endOfCode,
      `${output}5${endOfOutput}`,
      `${answer}The roots are 2 and 3, so the sum is \\boxed{5}.${endOfAnswer}`,
    ].join('\n'),
  },
];

/** The round-1 few-shot prompt: instruction, two demonstrations in the SFT format, then the question. */
export function fewShotPrompt(question: string): string {
  const demos = DEMONSTRATIONS.map((d) => `${sftPrompt(d.question)}\n${d.solution}\n\n`).join('');
  return `${FORMAT_INSTRUCTION}\n\n${demos}${sftPrompt(question)}\n`;
}

/** The prompt that precedes the first step of a problem, by style. Stable, so model servers can cache it. */
export function problemPrompt(question: string, style: PromptStyle): string {
  switch (style) {
    case 'few-shot':
      return fewShotPrompt(question);
    case 'sft':
      return sftPrompt(question);
  }
}

/** The prompt for the next step of a trajectory: the problem prompt followed by the steps so far. */
export function trajectoryPrompt(problemPrefix: string, renderedSteps: readonly string[]): string {
  return problemPrefix + renderedSteps.join('');
}
