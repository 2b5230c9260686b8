import { ALL_MARKERS } from '@rstar/step-format';
import { z } from 'zod';

/**
 * One policy SFT trace (docs/DATA-FORMATS.md): the prompt the policy is trained with, the exact completion
 * the loss is put on, and its steps (with Q and visits when the trace came out of a search tree). Round 0
 * writes these from GSM8K's worked solutions; the curation of later rounds writes them from MCTS trees.
 */
export const SFT_SCHEMA = 'rstar.sft.v1';
export const SFT_MANIFEST_SCHEMA = 'rstar.sft-manifest.v1';

export const SFT_SOURCES = ['gsm8k-solution', 'mcts'] as const;
export type SftSource = (typeof SFT_SOURCES)[number];

export const SftStepSchema = z.object({
  /** The step as the policy generates it, with its stop marker. */
  text: z.string().min(1),
  /** What the final code step's program printed (shown after `<output>`); null for other steps. */
  output: z.string().nullable(),
  q: z.number().nullable(),
  visits: z.number().int().nullable(),
});
export type SftStep = z.infer<typeof SftStepSchema>;

export const SftRecordSchema = z.object({
  schema: z.literal(SFT_SCHEMA),
  id: z.string().min(1),
  problemId: z.string().min(1),
  round: z.number().int().min(0),
  source: z.enum(SFT_SOURCES),
  prompt: z.string().min(1),
  /** The text after the prompt that the loss is put on: the rendered steps, outputs included. */
  completion: z.string().min(1),
  steps: z.array(SftStepSchema).min(1),
  answer: z.string().min(1),
});
export type SftRecord = z.infer<typeof SftRecordSchema>;

export const SftManifestSchema = z.object({
  schema: z.literal(SFT_MANIFEST_SCHEMA),
  name: z.string().min(1),
  round: z.number().int().min(0),
  /** Records in the JSONL beside the manifest. */
  records: z.number().int().min(0),
  /** The step markers, which a fully fine-tuned tokenizer adds as special tokens (METHOD.md §2). */
  specialTokens: z.array(z.string()),
  /** The command that made the set, to reproduce it. */
  command: z.string(),
  /** Where the problems came from. */
  problems: z.string(),
  /** Converted, verified and dropped traces, dropped ones by reason. */
  counts: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
});
export type SftManifest = z.infer<typeof SftManifestSchema>;

export const PPM_PAIR_MANIFEST_SCHEMA = 'rstar.ppm-pair-manifest.v1';

/** The manifest of a PPM pair set (pairs.jsonl → pairs.manifest.json): the SFT manifest's fields, no tokens. */
export const PpmPairManifestSchema = SftManifestSchema.omit({ schema: true, specialTokens: true }).extend({ schema: z.literal(PPM_PAIR_MANIFEST_SCHEMA) });
export type PpmPairManifest = z.infer<typeof PpmPairManifestSchema>;

export function ppmPairManifest(fields: Omit<PpmPairManifest, 'schema' | 'createdAt'>, now: Date = new Date()): PpmPairManifest {
  return { schema: PPM_PAIR_MANIFEST_SCHEMA, ...fields, createdAt: now.toISOString() };
}

export function sftManifest(fields: Omit<SftManifest, 'schema' | 'specialTokens' | 'createdAt'>, now: Date = new Date()): SftManifest {
  return { schema: SFT_MANIFEST_SCHEMA, ...fields, specialTokens: [...ALL_MARKERS], createdAt: now.toISOString() };
}

/** The manifest's file beside a training set's JSONL file: `runs/r0/sft.jsonl` → `runs/r0/sft.manifest.json`. */
export function manifestPathFor(jsonlPath: string): string {
  return jsonlPath.replace(/\.jsonl$/, '') + '.manifest.json';
}
