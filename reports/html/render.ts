import * as vega from 'vega';
import { compile, version as vegaLiteVersion, type TopLevelSpec } from 'vega-lite';
import type { VlSpec } from './vl.js';

/** Versions of the chart libraries, for the report header. */
export const CHART_LIBS = { vega: vega.version, vegaLite: vegaLiteVersion } as const;

/** The font attribute vega writes on every text element; the page's CSS sets it once instead. */
export const SVG_FONT_ATTR = 'system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, sans-serif';

/** An SVG rendered from a vega-lite spec, plus anything vega-lite warned about. */
export interface RenderedChart {
  readonly svg: string;
  readonly warnings: readonly string[];
}

/** A chart compiled and parsed down to vega's runtime spec, with what vega-lite warned about. */
interface ParsedChart {
  readonly runtime: vega.Runtime;
  readonly warnings: readonly string[];
}

/** Names the inline data of a chart gets in its data-free shape (see ChartRenderer). */
const VALUES_NAME = 'agentbench_values_';

/**
 * Draws the charts of one page: compiles each vega-lite spec to vega and renders it to an SVG
 * string in Node (no browser, no canvas: text widths are estimated). Element ids get a prefix,
 * so several SVGs can sit inline in one page without their clip paths colliding (vega numbers
 * them from 1 per render).
 *
 * The charts of a page often differ only in their data (the same chart for each workload of a
 * sweep). Compiling (vega-lite to vega) and parsing (vega to its runtime spec) are about half a
 * chart's time, so a renderer keeps them per *shape*: the spec with each inline `data: {values}`
 * replaced by a named data set. A chart of a shape already seen is drawn from that runtime spec
 * with its values handed to the view by name (`view.data`), which vega ingests the same way as
 * inline values: the SVG is the same (report.html is byte-identical with and without the cache
 * on the shipped scenarios). One renderer per page bounds the cache.
 */
export class ChartRenderer {
  readonly #byShape = new Map<string, ParsedChart>();
  #compiles = 0;

  /** Charts compiled so far (one per distinct shape). */
  get compiles(): number {
    return this.#compiles;
  }

  async render(spec: VlSpec, idPrefix: string): Promise<RenderedChart> {
    const values: unknown[][] = [];
    const shape = JSON.stringify(spec, (key: string, v: unknown) => (key === 'data' && isInlineData(v)
      ? { name: `${VALUES_NAME}${values.push(v.values) - 1}` }
      : v));
    let parsed = this.#byShape.get(shape);
    if (!parsed) {
      // The shape is what compiles: the spec's other parts pass through JSON, as the copy of the
      // spec embedded in the page does (a NaN there is null in both).
      parsed = parseChart(JSON.parse(shape) as VlSpec);
      this.#byShape.set(shape, parsed);
      this.#compiles++;
    }
    const view = new vega.View(parsed.runtime, { renderer: 'none', logLevel: vega.Warn });
    try {
      values.forEach((v, i) => view.data(`${VALUES_NAME}${i}`, v));
      const svg = await view.toSVG();
      return { svg: slimSvg(trimPrecision(prefixIds(svg, idPrefix))), warnings: parsed.warnings };
    } finally {
      view.finalize();
    }
  }
}

/** `{ values: [...] }` and nothing else: a format or a name would change what the data is. */
function isInlineData(v: unknown): v is { values: unknown[] } {
  if (typeof v !== 'object' || v === null || !Array.isArray((v as { values?: unknown }).values)) return false;
  return Object.keys(v).length === 1;
}

/** vega-lite → vega → vega's runtime spec, collecting vega-lite's warnings (an error throws). */
function parseChart(spec: VlSpec): ParsedChart {
  const warnings: string[] = [];
  const logger = {
    level(): number { return 2; },
    warn(...args: readonly unknown[]) { warnings.push(args.map(String).join(' ')); return this; },
    info() { return this; },
    debug() { return this; },
    error(...args: readonly unknown[]) { throw new Error(`vega-lite: ${args.map(String).join(' ')}`); },
  };
  // vega-lite's LoggerInterface type lives in vega-util; the object above has its shape.
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  return { runtime: vega.parse(compiled.spec), warnings };
}

/** One chart alone (a renderer of its own). */
export async function renderSvg(spec: VlSpec, idPrefix: string): Promise<RenderedChart> {
  return new ChartRenderer().render(spec, idPrefix);
}

/** Prefix every id="…" and its url(#…) / href="#…" references. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

/**
 * Round the coordinates of path data and transforms to 0.1 px: vega writes up to 15 digits,
 * which the eye cannot see on screen and which made up much of the page's size. Only the
 * geometry attributes are touched, never text.
 */
export function trimPrecision(svg: string): string {
  return svg.replace(/\b(d|transform|points)="([^"]*)"/g, (_m, attr: string, value: string) =>
    `${attr}="${value.replace(/-?\d+\.\d{2,}/g, (n) => String(Math.round(Number(n) * 10) / 10))}"`);
}

/**
 * Drop what draws nothing: the font attribute on every text (the page's CSS sets it once),
 * ARIA hiding of marks that carry no ARIA, pointer-event hints (the page is static), opacity 1
 * (the default), and the empty or zero-size paths vega writes for every group.
 */
export function slimSvg(svg: string): string {
  return svg
    .split(` font-family="${SVG_FONT_ATTR}"`).join('')
    .split(' aria-hidden="true"').join('')
    .split(' pointer-events="none"').join('')
    .split(' opacity="1"').join('') // the default
    .replace(/<path class="(fore|back)ground" d="(|M0,0h0v0h0Z)"( display="none")?\/>/g, ''); // zero-size or hidden
}
