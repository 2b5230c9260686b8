import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { MarkerTokens, type MarkerTokenizer } from './marker-tokens.js';

/** A vocabulary of single characters (ids = char codes) plus special tokens 1000+ that detokenize to "" as plain text. */
class CharVocabulary implements MarkerTokenizer {
  constructor(private readonly special: readonly string[]) {}

  tokenize(text: string, specialTokens = false): Token[] {
    const tokens: Token[] = [];
    for (let i = 0; i < text.length; ) {
      const at = specialTokens ? this.special.findIndex((s) => text.startsWith(s, i)) : -1;
      if (at >= 0) {
        tokens.push((1000 + at) as Token);
        i += (this.special[at] as string).length;
      } else {
        tokens.push(text.charCodeAt(i) as Token);
        i += 1;
      }
    }
    return tokens;
  }

  detokenize(tokens: readonly Token[], specialTokens = false): string {
    return tokens.map((t) => (t >= 1000 ? (specialTokens ? (this.special[t - 1000] ?? '') : '') : String.fromCharCode(t))).join('');
  }
}

describe('MarkerTokens', () => {
  it('finds the markers a fine-tune added as special tokens and decodes them back to their text', () => {
    const model = new CharVocabulary(['<code>', '<end_of_step>', '<|im_end|>']);
    const markers = MarkerTokens.of(model);
    expect(markers.markers).toEqual(['<code>', '<end_of_step>']); // <|im_end|> is not a step marker
    const generated = model.tokenize('<code>\nx = 1\n<end_of_step>', true);
    expect(model.detokenize(generated)).toBe('\nx = 1\n'); // what node-llama-cpp's text would say
    expect(markers.decode(model, generated)).toBe('<code>\nx = 1\n<end_of_step>');
  });

  it('finds none in a vocabulary without them, and then decodes as before', () => {
    const model = new CharVocabulary([]);
    const markers = MarkerTokens.of(model);
    expect(markers.size).toBe(0);
    const tokens = model.tokenize('<code>\nx = 1', true);
    expect(markers.decode(model, tokens)).toBe(model.detokenize(tokens));
  });
});
