import type { Token } from 'node-llama-cpp';
import { ALL_MARKERS } from '@rstar/step-format';

/** What the marker lookup needs from a model (node-llama-cpp's LlamaModel has it). */
export interface MarkerTokenizer {
  tokenize(text: string, specialTokens?: boolean): Token[];
  detokenize(tokens: readonly Token[], specialTokens?: boolean, lastTokens?: readonly Token[]): string;
}

/**
 * The step markers (<code>, <end_of_step>, ...) that this model's vocabulary holds as single tokens whose plain
 * detokenization loses their text: markers a full fine-tune added as special tokens. Prompts are tokenized with special
 * tokens parsed, so a marker in a prompt becomes its token; generated marker tokens would come back as "" and are put
 * back as text here, so stop strings and step parsing still see them. A base model has none: nothing changes for it.
 */
export class MarkerTokens {
  private constructor(private readonly byToken: ReadonlyMap<Token, string>) {}

  static of(model: MarkerTokenizer, markers: readonly string[] = ALL_MARKERS): MarkerTokens {
    const byToken = new Map<Token, string>();
    for (const marker of markers) {
      const tokens = model.tokenize(marker, true);
      const [only] = tokens;
      if (tokens.length === 1 && only !== undefined && model.detokenize([only], false) !== marker) byToken.set(only, marker);
    }
    return new MarkerTokens(byToken);
  }

  /** The markers held as special tokens, in vocabulary order. */
  get markers(): string[] {
    return [...this.byToken.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  }

  get size(): number {
    return this.byToken.size;
  }

  has(token: Token): boolean {
    return this.byToken.has(token);
  }

  /** The text of generated tokens with marker tokens as their marker text; other tokens decode as node-llama-cpp does. */
  decode(model: MarkerTokenizer, tokens: readonly Token[]): string {
    let text = '';
    let start = 0;
    // Each run of plain tokens is decoded with the tokens before it, as a detokenizer continuing a text would.
    const flush = (end: number): void => {
      if (end > start) text += model.detokenize(tokens.slice(start, end), false, tokens.slice(Math.max(0, start - 8), start));
    };
    tokens.forEach((token, i) => {
      const marker = this.byToken.get(token);
      if (marker === undefined) return;
      flush(i);
      text += marker;
      start = i + 1;
    });
    flush(tokens.length);
    return text;
  }
}
