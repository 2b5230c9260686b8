import type { CompletionRequest } from '@rstar/clients';

/** What is wrong with a completion request, beyond its contract's types; empty when nothing. */
export function completionRequestProblems(request: CompletionRequest, maxN: number): string[] {
  const problems: string[] = [];
  if (request.prompt === '') problems.push('prompt must not be empty');
  if (!Number.isInteger(request.n) || request.n < 1 || request.n > maxN) problems.push(`n must be an integer from 1 to ${maxN}, got ${request.n}`);
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) problems.push(`maxTokens must be a positive integer, got ${request.maxTokens}`);
  if (!(request.temperature >= 0)) problems.push(`temperature must be at least 0, got ${request.temperature}`);
  if (!(request.topP > 0 && request.topP <= 1)) problems.push(`topP must be in (0, 1], got ${request.topP}`);
  if (request.stop.some((s) => s === '')) problems.push('stop strings must not be empty');
  return problems;
}
