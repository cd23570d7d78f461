/**
 * Front-end benchmark: parse + check + lower, in process, of a generated 2,000-statement model
 * and of every example. Median of repeated runs after warm-up.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../compiler/index.js";
import { hasErrors } from "../language/diagnostics.js";
import { parse } from "../language/parse.js";
import { generatedModel } from "./generate.js";

import { timeIt, type BenchRecord } from "./timing.js";
export type { BenchRecord } from "./timing.js";


export function frontendBench(runs = 21): BenchRecord[] {
  const records: BenchRecord[] = [];
  const big = generatedModel(2000);
  const bigFile = { name: "generated-2000.ppl", text: big };
  const check = compileSource(bigFile);
  if (hasErrors(check.diagnostics)) throw new Error("the generated model does not compile: " + check.diagnostics.map((d) => d.message).join("; "));
  const statements = big.split("\n").filter((l) => /^\s+\S/.test(l)).length;
  const p = timeIt(() => parse(bigFile), runs, 5);
  records.push({ bench: "frontend", case: "generated-2000/parse", statements, median_ms: p.median, min_ms: p.min, runs });
  const c = timeIt(() => compileSource(bigFile), runs, 5);
  records.push({ bench: "frontend", case: "generated-2000/parse+check+lower", statements, median_ms: c.median, min_ms: c.min, runs, goal_ms: 100, meets_goal: c.median < 100 });
  // The analyses run on first use (a backend asks for them); time them apart.
  const a = timeIt(() => {
    const g = compileSource(bigFile).value!.graph;
    void g.analyses.order;
    void g.analyses.markovBlankets;
  }, runs, 3);
  records.push({ bench: "frontend", case: "generated-2000/parse+check+lower+analyses", statements, median_ms: a.median, min_ms: a.min, runs });

  const dir = "examples";
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ppl")).sort()) {
    const file = { name: join(dir, f), text: readFileSync(join(dir, f), "utf8") };
    const t = timeIt(() => compileSource(file), runs, 3);
    records.push({ bench: "frontend", case: `example/${f}`, median_ms: t.median, min_ms: t.min, runs });
  }
  return records;
}
