import { describe, expect, it } from 'vitest';
import { parseProblemsJsonl } from './problems-jsonl.js';

describe('parseProblemsJsonl', () => {
  it('reads id, question or problem, and answer (numbers as text); blank lines are skipped', () => {
    const text = ['{"id": "g1", "question": " 2+2? ", "answer": 4}', '', '{"problem": "3+3?"}', '  ', '{"id": 7, "problem": "x", "answer": "\\\\frac{1}{2}"}'].join('\n');
    expect(parseProblemsJsonl(text, { maxProblemChars: 100 })).toEqual({
      problems: [
        { externalId: 'g1', question: '2+2?', answer: '4' },
        { externalId: 'line-3', question: '3+3?', answer: null },
        { externalId: '7', question: 'x', answer: '\\frac{1}{2}' },
      ],
      errors: [],
    });
  });

  it('reports each bad line with its number and keeps the good ones', () => {
    const lines = [
      '{"question": "ok"}',
      '{not json',
      '[1, 2]',
      '{"answer": "5"}',
      '{"question": ""}',
      `{"question": "${'x'.repeat(11)}"}`,
      '{"question": "q", "answer": {"a": 1}}',
      '{"id": ["a"], "question": "q"}',
      '{"id": "line-1", "question": "again"}',
      '{"question": "fine", "answer": null}',
    ];
    const { problems, errors } = parseProblemsJsonl(lines.join('\r\n'), { maxProblemChars: 10 });
    expect(problems.map((p) => p.externalId)).toEqual(['line-1', 'line-10']);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(errors[0]?.message).toMatch(/^not valid JSON/);
    expect(errors[1]?.message).toBe('not a JSON object');
    expect(errors[2]?.message).toBe('needs a non-empty "problem" (or "question") string');
    expect(errors[4]?.message).toBe('the problem has 11 characters; the limit is 10');
    expect(errors[5]?.message).toMatch(/^"answer" must be a string or a number/);
    expect(errors[6]?.message).toMatch(/^"id" must be a string or a number, not an array/);
    expect(errors[7]?.message).toBe('id "line-1" was already used on line 1');
  });

  it('refuses answers and ids over their limits', () => {
    const text = `{"question": "q", "answer": "${'9'.repeat(6)}"}\n{"id": "${'i'.repeat(6)}", "question": "q"}`;
    const { errors } = parseProblemsJsonl(text, { maxProblemChars: 100, maxAnswerChars: 5, maxIdChars: 5 });
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
  });
});
