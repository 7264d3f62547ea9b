import { describe, expect, it } from 'vitest';
import { tokenize } from '../tokenizer.js';
import { planAnswer, type AnswerInputs } from './answer-plan.js';

const base: AnswerInputs = { calls: [], schema: undefined, stops: [], key: 9, target: 5, maxTokens: 100, echo: '', naturalStop: true };

describe('planAnswer', () => {
  it('cuts tool calls at max_tokens: a call keeps its generated arguments, a call not started is dropped', () => {
    const calls = [{ id: 'c1', name: 'f', arguments: '{"q": "one two three"}' }, { id: 'c2', name: 'g', arguments: '{"q": "four"}' }];
    const full = planAnswer({ ...base, calls });
    expect(full.toolCalls.map((c) => [c.name, c.arguments, c.firstToken])).toEqual([['f', calls[0]!.arguments, 0], ['g', calls[1]!.arguments, 4]]);
    expect(full.pieces.join('')).toBe(calls[0]!.arguments + calls[1]!.arguments);
    expect(full.stopReason).toBe('stop');
    expect(tokenize(calls[0]!.arguments)).toHaveLength(4); // '{"q":' ' "one' ' two' ' three"}'
    const cut = planAnswer({ ...base, calls, maxTokens: 2 });
    expect(cut.toolCalls).toEqual([{ ...calls[0], arguments: '{"q": "one', firstToken: 0 }]);
    expect(cut.stopReason).toBe('length');
    // Stop strings do not cut tool calls.
    expect(planAnswer({ ...base, calls, stops: ['two'] }).toolCalls).toHaveLength(2);
  });

  it('echoes the text cut at max_tokens; stop strings cut echoes and JSON', () => {
    expect(planAnswer({ ...base, echo: 'say this back now', maxTokens: 3 })).toMatchObject({ pieces: ['say', ' this', ' back'], stopReason: 'length', toolCalls: [] });
    expect(planAnswer({ ...base, echo: 'say this back now', stops: [' back'] })).toMatchObject({ pieces: ['say', ' this', ''], outputIds: tokenize('say this back'), stopReason: 'stop' });
    const json = planAnswer({ ...base, schema: { type: 'object', properties: { n: { const: 7 } } }, stops: ['7'] });
    expect([json.pieces.join(''), json.stopReason]).toEqual(['{"n":', 'stop']);
  });

  it('a synthetic answer is `target` rendered words ending as the draw says', () => {
    const p = planAnswer({ ...base, naturalStop: false });
    expect(p.outputIds).toHaveLength(5);
    expect(p.pieces.every((w) => /^ [a-z]+$/.test(w))).toBe(true);
    expect(p.stopReason).toBe('length');
  });
});
