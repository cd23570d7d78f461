/** The summary table a person reads at the end of a fit, and its CSV twin. */
import Table from "cli-table3";

import type { SummaryRow } from "../../inference/index.js";


const COLUMNS = ["mean", "sd", "q05", "q50", "q95"] as const;

/** Four significant digits, without exponent noise for ordinary magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

/** At most `max` rows are shown (the first ones, then a note); every row goes to the CSV. */
export function summaryTable(rows: readonly SummaryRow[], max = 60): string {
  const t = new Table({
    head: ["", "mean", "sd", "5%", "50%", "95%"],
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    colAligns: ["left", "right", "right", "right", "right", "right"],
  });
  for (const r of rows.slice(0, max)) t.push([r.name, ...COLUMNS.map((c) => formatNumber(r[c]))]);
  const more = rows.length > max ? `\n(${rows.length - max} more rows in summary.csv: use --out DIR)` : "";
  return t.toString() + more;
}

export function summaryCsv(rows: readonly SummaryRow[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ["name,mean,sd,q05,q50,q95", ...rows.map((r) => [quote(r.name), ...COLUMNS.map((c) => String(r[c]))].join(","))].join("\n") + "\n";
}
