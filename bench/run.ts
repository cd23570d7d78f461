/**
 * `npm run bench`: runs every benchmark and writes one JSON file of records per benchmark to
 * bench/results/ (never part of `npm test`: these machines are shared and noisy).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { frontendBench } from "./frontend.js";
import type { BenchRecord } from "./timing.js";
import { tensorBench } from "./tensor.js";
import { distributionsBench } from "./distributions.js";
import { adviBench } from "./advi.js";
import { webpplBench } from "./webppl.js";
import { posteriordbBench } from "./posteriordb.js";
import { caviBench } from "./cavi.js";
import { bbviBench } from "./bbvi.js";

const only = process.argv.slice(2);
const benches: Record<string, () => BenchRecord[] | Promise<BenchRecord[]>> = {
  frontend: () => frontendBench(),
  tensor: () => tensorBench(),
  distributions: () => distributionsBench(),
  advi: () => adviBench(),
  webppl: () => webpplBench(),
  posteriordb: () => posteriordbBench(),
  cavi: () => caviBench(),
  bbvi: () => bbviBench(),
};

mkdirSync("bench/results", { recursive: true });
for (const [name, fn] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  const started = new Date().toISOString();
  const records = await fn();
  const doc = { bench: name, started, node: process.version, platform: `${process.platform}-${process.arch}`, records };
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(doc, null, 2) + "\n");
  console.log(`\n${name}`);
  console.table(records.map((r) => ({ case: r.case, "median ms": Number(r.median_ms).toFixed(3), "min ms": Number(r.min_ms).toFixed(3), runs: r.runs, ...extra(r) })));
}

/** The figures a record carries beyond its timings (throughput, goals), for the printed table. */
function extra(r: BenchRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (["bench", "case", "median_ms", "min_ms", "runs"].includes(k)) continue;
    if (typeof v === "number") out[k] = Number.isInteger(v) ? v : Number(v.toPrecision(4));
    else if (typeof v === "boolean" || typeof v === "string") out[k] = v;
  }
  return out;
}
