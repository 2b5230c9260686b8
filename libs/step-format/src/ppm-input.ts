import { sftPrompt } from './prompts.js';

/**
 * The text a process preference model scores (METHOD.md §5): the question, the earlier steps and the step to
 * score, laid out as a solution in the SFT format (the PPM is initialised from the fine-tuned policy, so it
 * reads what the policy was trained on: the SFT prompt, a newline, then the steps as they were rendered).
 * The last step comes last: the value head reads the hidden state of the last token.
 */
export function ppmInput(question: string, steps: readonly string[]): string {
  return `${sftPrompt(question)}\n${steps.join('')}`;
}
