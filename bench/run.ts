/**
 * `npm run bench`: runs every benchmark and writes one JSON file of records per benchmark to
 * bench/results/ (never part of `npm test`: these machines are shared and noisy).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { frontendBench, type BenchRecord } from "./frontend.js";

const only = process.argv.slice(2);
const benches: Record<string, () => BenchRecord[] | Promise<BenchRecord[]>> = {
  frontend: () => frontendBench(),
};

mkdirSync("bench/results", { recursive: true });
for (const [name, fn] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  const started = new Date().toISOString();
  const records = await fn();
  const doc = { bench: name, started, node: process.version, platform: `${process.platform}-${process.arch}`, records };
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(doc, null, 2) + "\n");
  console.log(`\n${name}`);
  console.table(records.map((r) => ({ case: r.case, "median ms": r.median_ms.toFixed(3), "min ms": r.min_ms.toFixed(3), runs: r.runs })));
}
