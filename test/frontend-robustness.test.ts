/**
 * The whole front end (parse, check, lower, analyses) never crashes on random or mutated
 * programs: it returns diagnostics, never throws, and never reports an internal error.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileSource } from "../compiler/index.js";

const ROOT = join(import.meta.dirname, "..");
const sources: string[] = [
  ...readdirSync(join(ROOT, "examples"))
    .filter((f) => f.endsWith(".ppl"))
    .map((f) => readFileSync(join(ROOT, "examples", f), "utf8")),
  ...["names", "types", "shapes", "guide", "network"].flatMap((d) =>
    readdirSync(join(ROOT, "test/fixtures/bad", d))
      .filter((f) => f.endsWith(".ppl"))
      .map((f) => readFileSync(join(ROOT, "test/fixtures/bad", d, f), "utf8")),
  ),
];

/** Pieces a mutation may insert: tokens of the language and near-misses. */
const PIECES = [
  "~", "=", "@", "^", "[", "]", "(", ")", "{", "}", ",", ":", "..", "->", "<", ">", "-", "*", "/", "?",
  "N", "K", "x", "mu", "z", "0", "1", "-1", "2.5", "1e9", "real", "int", "bool", "simplex[K]", "ordered[3]",
  "latent", "data", "param", "let", "for", "in", "guide", "factor", "Normal(0, 1)", "Dirichlet(ones(K))",
  "Categorical(w)", "MLP(2 -> 3)", "sum(", "exp(", "[:, 0]", "[0:2]", "<lower=0>", "<upper=K-1>", "\n",
];

function compileAll(text: string): void {
  let r;
  try {
    r = compileSource({ name: "fuzz.ppl", text });
  } catch (e) {
    throw new Error(`compileSource threw on:\n${text}\n${(e as Error).stack}`);
  }
  const internal = r.diagnostics.filter((d) => d.code.startsWith("PPL9"));
  if (internal.length > 0) throw new Error(`internal error ${internal[0]!.code}: ${internal[0]!.message}\non:\n${text}`);
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^PPL[1-5]\d{3}$/);
    if (d.span) expect(d.span.start).toBeLessThanOrEqual(d.span.end);
  }
  // The analyses run lazily; make sure they run too.
  if (r.value) {
    void r.value.graph.analyses.order;
    void r.value.graph.analyses.markovBlankets;
  }
}

describe("front-end robustness", () => {
  it("survives programs with random pieces inserted, deleted or replaced", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...PIECES), fc.nat({ max: 6 })), { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          let text = sources[which]!;
          for (const [pos, op, piece, len] of edits) {
            const at = pos % (text.length + 1);
            if (op === 0) text = text.slice(0, at) + piece + text.slice(at);
            else if (op === 1) text = text.slice(0, at) + text.slice(at + len);
            else text = text.slice(0, at) + piece + text.slice(at + len);
          }
          compileAll(text);
        },
      ),
      { numRuns: 400, seed: 20261124 },
    );
  });

  it("survives whole lines swapped, duplicated or dropped", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 2 })), { minLength: 1, maxLength: 3 }), (which, edits) => {
        const lines = sources[which]!.split("\n");
        for (const [a, b, op] of edits) {
          const i = a % lines.length;
          const j = b % lines.length;
          if (op === 0) [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          else if (op === 1) lines.splice(j, 0, lines[i]!);
          else lines.splice(i, 1);
        }
        compileAll(lines.join("\n"));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("checks a 10,000-term expression without overflowing the stack", () => {
    const terms = Array.from({ length: 10_000 }, (_, i) => `${i % 7}.5 * mu`).join(" + ");
    compileAll(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  let t = ${terms}\n  factor(t)\n}\n`);
  });

  it("checks 10,000 nested parentheses with a diagnostic", () => {
    const r = compileSource({ name: "deep.ppl", text: `model M {\n  let t = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n}\n` });
    expect(r.diagnostics.some((d) => d.code === "PPL1004")).toBe(true);
  });

  it("handles an empty file and a file of whitespace", () => {
    for (const text of ["", "   \n\n\t  ", "// only a comment\n"]) {
      const r = compileSource({ name: "empty.ppl", text });
      expect(r.value).toBeUndefined();
      expect(r.diagnostics.length).toBeGreaterThan(0);
      expect(r.diagnostics[0]!.code).toMatch(/^PPL[12]\d{3}$/);
    }
  });
});

describe("front-end depth limits", () => {
  it("reports a statement too deep to check instead of crashing", () => {
    const r = compileSource({ name: "deep.ppl", text: `model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  let t = ${"-".repeat(20_000)}mu\n}\n` });
    expect(r.diagnostics.map((d) => d.code)).toContain("PPL2048");
    expect(r.diagnostics.find((d) => d.code === "PPL2048")!.span!.line).toBe(4);
  });
});
