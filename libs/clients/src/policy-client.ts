/** One request for candidate continuations of a prompt (the OpenAI `/v1/completions` shape). */
export interface CompletionRequest {
  prompt: string;
  /** Number of candidates sampled from the same prompt (one expansion's width). */
  n: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Generation of a candidate stops at the first of these strings. */
  stop: string[];
  /** Whether the stop string that ended a candidate is kept at the end of its text (vLLM's `include_stop_str_in_output`). */
  includeStopStrInOutput: boolean;
  seed?: number;
}

export type FinishReason = 'stop' | 'length';

export interface CompletionChoice {
  index: number;
  text: string;
  finishReason: FinishReason;
  /** The stop string that ended the candidate, when one did. */
  stopReason: string | null;
}

export interface CompletionResult {
  choices: CompletionChoice[];
  /** Tokens of the prompt and of all candidates, as the server counts them. */
  usage: { promptTokens: number; completionTokens: number };
}

/** Access to a policy model: vLLM, SGLang, llama.cpp or the embedded CPU model server. */
export interface PolicyClient {
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult>;
}
