import { Column, type ValueTransformer } from 'typeorm';

/**
 * Timestamps are epoch milliseconds in a `bigint` column on both drivers: one column type that PostgreSQL and
 * SQLite store, compare and index the same way (no time-zone or text-format differences), turned into `Date`s
 * by the record mappers. node-postgres returns `bigint` as a string, hence the transformer.
 */
/** `bigint` columns as JS numbers (exact up to 2^53, far beyond any epoch-ms or duration we store). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export function EpochMsColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'bigint', nullable: options.nullable ?? false, transformer: bigintNumber });
}

/** Ids are UUIDs made in code (`crypto.randomUUID`), stored as text, so both drivers behave the same. */
export const UUID_LENGTH = 36;
