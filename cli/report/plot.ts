/**
 * Plots for people who would rather look than read: Vega-Lite specs compiled and rendered to SVG
 * headlessly by vega, then to PNG by resvg. The same specs render in a browser.
 */
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile as compileVegaLite, type TopLevelSpec } from "vega-lite";

export interface RenderedPlot {
  readonly spec: TopLevelSpec;
  readonly svg: string;
  readonly png: Buffer;
}

/** Renders a Vega-Lite spec to SVG and a 2x PNG. */
export async function renderPlot(spec: TopLevelSpec): Promise<RenderedPlot> {
  const view = new vega.View(vega.parse(compileVegaLite(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: "zoom", value: 2 }, background: "white", font: { loadSystemFonts: true } }).render().asPng();
  return { spec, svg, png: Buffer.from(png) };
}

/** The ELBO trace: one point per recorded step, with a smoothed line over it. */
export function elboTraceSpec(trace: readonly { step: number; elbo: number }[], title: string): TopLevelSpec {
  const values = trace.filter((t) => Number.isFinite(t.elbo));
  // Clip the early transient so the converged part is readable: show from the 2nd percentile up.
  const sorted = values.map((v) => v.elbo).sort((a, b) => a - b);
  const floor = sorted.length ? sorted[Math.floor(sorted.length * 0.02)]! : 0;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 560,
    height: 260,
    data: { values: values.map((v) => ({ step: v.step, elbo: v.elbo })) },
    layer: [
      {
        mark: { type: "line", opacity: 0.35, color: "#4c78a8", clip: true },
        encoding: { x: { field: "step", type: "quantitative", title: "step" }, y: { field: "elbo", type: "quantitative", title: "ELBO (nats)", scale: { zero: false, domainMin: floor } } },
      },
      {
        mark: { type: "line", color: "#e45756", strokeWidth: 2, clip: true },
        transform: [{ window: [{ op: "mean", field: "elbo", as: "smoothed" }], frame: [-25, 25] }],
        encoding: { x: { field: "step", type: "quantitative" }, y: { field: "smoothed", type: "quantitative" } },
      },
    ],
  };
}
