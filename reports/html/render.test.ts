import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { ChartRenderer, prefixIds, slimSvg, trimPrecision } from './render.js';
import { topLevel, type VlSpec } from './vl.js';

/** The chart drawn the plain way, data inline, nothing shared: what every render must equal. */
async function reference(spec: VlSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return slimSvg(trimPrecision(prefixIds(await view.toSVG(), idPrefix)));
  } finally {
    view.finalize();
  }
}

/** A bar chart of `values` beside a line of `line`: two inline data sets in one spec. */
function chart(values: readonly { x: string; y: number }[], line: readonly { t: number; v: number }[], title = 'bars'): VlSpec {
  return topLevel({
    hconcat: [
      { title, data: { values }, mark: 'bar', encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } } },
      { data: { values: line }, mark: 'line', encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } } },
    ],
  });
}

const A = chart([{ x: 'a', y: 1 }, { x: 'b', y: 3 }], [{ t: 0, v: 1 }, { t: 1, v: 2 }]);
const B = chart([{ x: 'a', y: 7 }, { x: 'c', y: 2 }, { x: 'd', y: 5 }], [{ t: 0, v: 9 }, { t: 5, v: 1 }, { t: 6, v: 4 }]);

describe('ChartRenderer', () => {
  it('draws a chart of a shape it has seen with the new chart\'s data: the same SVG as a fresh render', async () => {
    const renderer = new ChartRenderer();
    const a = await renderer.render(A, 'c1');
    const b = await renderer.render(B, 'c2');
    expect(renderer.compiles).toBe(1); // B reused A's compiled and parsed chart
    expect(b.svg).toBe(await reference(B, 'c2'));
    expect(a.svg).toBe(await reference(A, 'c1'));
    // The data reached the drawing: B has three bars and the category d, A has neither.
    expect(b.svg).not.toBe(a.svg.replaceAll('c1-', 'c2-'));
    expect(b.svg).toContain('>d</text>');
    expect(a.svg).not.toContain('>d</text>');
  });

  it('compiles again when anything but the data differs', async () => {
    const renderer = new ChartRenderer();
    await renderer.render(A, 'c1');
    const retitled = await renderer.render(chart([{ x: 'a', y: 1 }], [{ t: 0, v: 1 }], 'other title'), 'c2');
    expect(renderer.compiles).toBe(2);
    expect(retitled.svg).toContain('other title');
  });

  it('leaves data with a format (or anything besides values) inline', async () => {
    const spec = topLevel({
      data: { values: [{ x: '2026-01-02', y: 1 }, { x: '2026-01-05', y: 2 }], format: { parse: { x: 'date' } } },
      mark: 'point',
      encoding: { x: { field: 'x', type: 'temporal' }, y: { field: 'y', type: 'quantitative' } },
    });
    const renderer = new ChartRenderer();
    const other = topLevel({ ...spec, data: { values: [{ x: '2026-03-01', y: 5 }], format: { parse: { x: 'date' } } } });
    const first = await renderer.render(spec, 'p');
    const second = await renderer.render(other, 'p');
    expect(renderer.compiles).toBe(2); // data with a format stays in the shape: these two differ
    expect(second.svg).toBe(await reference(other, 'p'));
    expect(first.svg).toBe(await reference(spec, 'p'));
    expect(second.svg).not.toBe(first.svg);
  });

  it('replaces only `data`: another property holding just `values` (a legend\'s) stays in the shape', async () => {
    const legended = (values: readonly { x: string; y: number }[]): VlSpec => topLevel({
      data: { values }, mark: 'bar',
      encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'x', type: 'nominal', legend: { values: ['b', 'a'] } } },
    });
    const renderer = new ChartRenderer();
    const one = legended([{ x: 'a', y: 1 }, { x: 'b', y: 2 }]);
    expect((await renderer.render(one, 'l')).svg).toBe(await reference(one, 'l'));
    const two = legended([{ x: 'a', y: 4 }, { x: 'b', y: 1 }]);
    expect((await renderer.render(two, 'l')).svg).toBe(await reference(two, 'l'));
    expect(renderer.compiles).toBe(1);
  });

  it('hands every chart of a shape the warnings vega-lite gave when it compiled the shape', async () => {
    // A nominal field on a quantitative-only channel (size of a bar) makes vega-lite warn.
    const warned = (values: readonly { x: string; y: number }[]): VlSpec => topLevel({
      data: { values }, mark: 'bar',
      encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' }, size: { field: 'x', type: 'nominal' } },
    });
    const renderer = new ChartRenderer();
    const first = await renderer.render(warned([{ x: 'a', y: 1 }]), 'w1');
    const second = await renderer.render(warned([{ x: 'b', y: 2 }]), 'w2');
    expect(first.warnings.length).toBeGreaterThan(0);
    expect(second.warnings).toEqual(first.warnings);
    expect(renderer.compiles).toBe(1);
  });
});
