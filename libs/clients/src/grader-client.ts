export interface GradeResult {
  equivalent: boolean;
  /** What the grader understood of each side, for explanations. */
  answerParsed: string;
  referenceParsed: string;
  /** Set when the pair could not be graded (timeout, parse failure); `equivalent` is then false. */
  error: string | null;
}

/** Decides whether a model's answer is equivalent to a reference answer. */
export interface GraderClient {
  grade(answer: string, reference: string): Promise<GradeResult>;
  close(): Promise<void>;
}
