/** A process preference model: scores the last step of each trajectory prefix. */
export interface PpmClient {
  /**
   * Raw reward of the last step of each of `stepsList` (question + earlier steps + the step scored).
   * Callers map raw rewards into (-1, 1) with `tanh(r / 5)` before they enter Q.
   */
  score(question: string, stepsList: string[][], signal?: AbortSignal): Promise<number[]>;
}
