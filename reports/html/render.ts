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

/**
 * Compile a vega-lite spec to vega and render it to an SVG string in Node (no browser, no
 * canvas: text widths are estimated). Element ids get `idPrefix`, so several SVGs can sit
 * inline in one page without their clip paths colliding (vega numbers them from 1 per render).
 */
export async function renderSvg(spec: VlSpec, idPrefix: string): Promise<RenderedChart> {
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
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    return { svg: slimSvg(trimPrecision(prefixIds(svg, idPrefix))), warnings };
  } finally {
    view.finalize();
  }
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
