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

/**
 * What generation of one step is stopped at: the step markers, and the start of a new user turn (a model not
 * yet fine-tuned on the format otherwise goes on to invent the next problem of its few-shot prompt).
 */
export const GENERATION_STOPS: readonly string[] = [...STEP_STOP_MARKERS, Markers.user];

/** Every marker, for tokenizers that add them as special tokens before SFT. */
export const ALL_MARKERS: readonly string[] = Object.values(Markers);
