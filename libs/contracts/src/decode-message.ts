/** What every generated message type offers for the proto3 JSON mapping. */
export interface JsonMessageFns<T> {
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

/** A payload that does not match its contract: refused on consume, never half-read. */
export class ContractViolationError extends Error {
  constructor(
    readonly messageType: string,
    readonly problems: string[],
  ) {
    super(`invalid ${messageType}: ${problems.join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/**
 * Decodes a JSON payload into a generated message type, refusing what the lenient generated `fromJSON`
 * would coerce: a non-object, fields the contract does not have, and fields of the wrong JSON kind
 * (a number where a string belongs, a scalar where a list belongs) at the top level; nested messages are
 * decoded by the generated code.
 */
export function decodeMessage<T>(fns: JsonMessageFns<T>, raw: unknown, messageType: string): T {
  const problems: string[] = [];
  check(fns, raw, '', problems);
  if (problems.length > 0) throw new ContractViolationError(messageType, problems);
  return fns.fromJSON(raw);
}

function check<T>(fns: JsonMessageFns<T>, raw: unknown, path: string, problems: string[]): void {
  if (kindOf(raw) !== 'object') {
    problems.push(`${path || 'payload'} must be an object, got ${kindOf(raw)}`);
    return;
  }
  const template = fns.fromJSON({}) as Record<string, unknown>;
  const decoded = fns.fromJSON(raw) as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in template)) {
      problems.push(`unknown field ${at}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const expected = kindOf(template[key] ?? decoded[key]);
    const got = kindOf(value);
    // Unset optional fields decode to undefined in the template: compare with the decoded value then.
    if (expected === 'undefined') {
      const d = decoded[key];
      if (d !== undefined && kindOf(d) !== got && !(typeof d === 'number' && got === 'string')) problems.push(`${at} must be ${kindOf(d)}, got ${got}`);
      continue;
    }
    // int64 may travel as a JSON string in the proto3 mapping.
    if (expected === 'number' && got === 'string' && /^-?\d+(\.\d+)?$/.test(value as string)) continue;
    if (expected !== got) problems.push(`${at} must be ${expected}, got ${got}`);
  }
}
