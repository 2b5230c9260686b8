import { PersistenceError } from '../errors.js';

// The checks the name-keyed registries (models, training sets) share.

export function requireName(what: string, name: string): void {
  if (name.trim() === '') throw new PersistenceError('INVALID', `a ${what} needs a name`);
}

export function requireKind<K extends string>(what: string, kinds: readonly K[], kind: K): void {
  if (!kinds.includes(kind)) throw new PersistenceError('INVALID', `unknown ${what} kind ${String(kind)}`);
}

/** A count or a round: a non-negative integer. */
export function requireNonNegativeInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new PersistenceError('INVALID', `${field} must be a non-negative integer, not ${value}`);
  return value;
}
