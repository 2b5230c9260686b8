/** The markers of the code-augmented chain of thought (METHOD.md §2). */
export const Markers = {
  user: '<|user|>',
  assistant: '<|assistant|>',
  code: '<code>',
  endOfStep: '<end_of_step>',
  endOfCode: '<end_of_code>',
  output: '<output>',
  endOfOutput: '<end_of_output>',
  answer: '<answer>',
  endOfAnswer: '<end_of_answer>',
} as const;

/** Generation of one step stops at the first of these; the stop string is re-appended to the step. */
export const STEP_STOP_MARKERS: readonly string[] = [Markers.endOfStep, Markers.endOfCode, Markers.endOfAnswer];

/** Every marker, for tokenizers that add them as special tokens before SFT. */
export const ALL_MARKERS: readonly string[] = Object.values(Markers);
