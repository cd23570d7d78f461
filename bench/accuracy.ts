/**
 * Scoring a fitted posterior against a reference (shared by the advi, webppl and posteriordb
 * benches). Reference names are 1-based (`w[1]`, Stan style); vippl's summary names are 0-based
 * (`w[0]`): `oneBased` maps ours to theirs.
 *
 * mean error = |mean - ref mean| / ref sd (in reference sds); sd error = |sd / ref sd - 1|.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const SHARED_BENCH = process.env.VIPPL_SHARED_BENCH ?? "/work/shared/bench";

export interface Moments {
  readonly mean: number;
  readonly sd: number;
}
export type MomentTable = Readonly<Record<string, Moments>>;

export interface Reference {
  /** "exact" (closed form, bench/reference/exact.json) or "nuts" (Stan NUTS, nuts.json). */
  readonly source: "exact" | "nuts";
  /** The parameters that are scored, 1-based names. */
  readonly names: readonly string[];
  readonly params: MomentTable;
  /** Exact log evidence, where the model has a closed form. */
  readonly logEvidence: number | null;
}

export interface Score {
  /** Worst |mean - ref| / ref sd over the scored parameters. */
  readonly meanErr: number;
  readonly meanWorst: string;
  /** Worst |sd / ref sd - 1|. */
  readonly sdErr: number;
  readonly sdWorst: string;
  /** Smallest and largest sd / ref sd. */
  readonly sdRatioMin: number;
  readonly sdRatioMax: number;
  /** Reference parameters the fit did not report (scored as errors: meanErr = Infinity). */
  readonly missing: readonly string[];
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

type RefFile = Record<string, { params: Record<string, Moments>; log_evidence?: number }>;

/** The reference of a ../shared/bench model: the closed form where there is one, else NUTS. */
export function benchReference(model: string): Reference {
  const dir = join(SHARED_BENCH, "reference");
  const main = readJson(join(dir, "main_params.json")) as Record<string, string[]>;
  const exact = readJson(join(dir, "exact.json")) as RefFile;
  const nuts = readJson(join(dir, "nuts.json")) as RefFile;
  const names = main[model];
  if (!names) throw new Error(`no main_params entry for bench model '${model}'`);
  const e = exact[model];
  if (e) return { source: "exact", names, params: e.params, logEvidence: e.log_evidence ?? null };
  const n = nuts[model];
  if (!n) throw new Error(`no reference for bench model '${model}'`);
  return { source: "nuts", names, params: n.params, logEvidence: null };
}

/** `theta[3]` -> `theta[4]`, `L[0, 1]` -> `L[1,2]`; names without an index are unchanged. */
export function oneBased(name: string): string {
  const m = /^([^[]+)\[([^\]]*)\]$/.exec(name);
  if (!m) return name;
  const idx = m[2]!.split(",").map((s) => String(Number(s.trim()) + 1));
  return `${m[1]}[${idx.join(",")}]`;
}

/** Normalises a 1-based reference name to the same spelling as `oneBased` (no spaces). */
export function normaliseName(name: string): string {
  return name.replace(/\s+/g, "");
}

/** vippl summary rows (0-based names) as a table keyed by 1-based names. */
export function fromSummary(rows: readonly { name: string; mean: number; sd: number }[]): Record<string, Moments> {
  const out: Record<string, Moments> = {};
  for (const r of rows) out[oneBased(r.name)] = { mean: r.mean, sd: r.sd };
  return out;
}

export function score(names: readonly string[], ref: MomentTable, est: MomentTable): Score {
  let meanErr = 0;
  let meanWorst = "";
  let sdErr = 0;
  let sdWorst = "";
  let sdRatioMin = Infinity;
  let sdRatioMax = 0;
  const missing: string[] = [];
  const estByName = new Map(Object.entries(est).map(([k, v]) => [normaliseName(k), v]));
  for (const name of names) {
    const r = ref[name];
    if (!r) throw new Error(`reference has no parameter '${name}'`);
    const e = estByName.get(normaliseName(name));
    if (!e || !Number.isFinite(e.mean) || !Number.isFinite(e.sd)) {
      missing.push(name);
      meanErr = Infinity;
      meanWorst = name;
      continue;
    }
    const me = Math.abs(e.mean - r.mean) / r.sd;
    if (me > meanErr || meanWorst === "") {
      meanErr = me;
      meanWorst = name;
    }
    const ratio = e.sd / r.sd;
    sdRatioMin = Math.min(sdRatioMin, ratio);
    sdRatioMax = Math.max(sdRatioMax, ratio);
    const se = Math.abs(ratio - 1);
    if (se > sdErr || sdWorst === "") {
      sdErr = se;
      sdWorst = name;
    }
  }
  return { meanErr, meanWorst, sdErr, sdWorst, sdRatioMin, sdRatioMax, missing };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function round(x: number, digits = 3): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}
