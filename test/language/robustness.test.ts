/**
 * parse() on hostile input: random strings, token soups, mutated valid programs and pathological
 * files. It must never throw, never report an internal error, always give coded diagnostics with
 * valid spans, return quickly and not overflow the stack.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Program } from "../../language/ast.js";
import type { Diagnostic } from "../../language/diagnostics.js";
import { MAX_ERRORS, MAX_NESTING, MAX_SOURCE_LENGTH, parse } from "../../language/parse.js";
import { printProgram } from "../../language/printer.js";
import { LineIndex, type Span } from "../../language/span.js";
import { generatedModel } from "../../bench/generate.js";

function checkSpan(span: Span, text: string, index: LineIndex, what: string): void {
  const ok =
    Number.isInteger(span.start) &&
    Number.isInteger(span.end) &&
    span.start >= 0 &&
    span.start <= span.end &&
    span.end <= text.length;
  if (!ok) throw new Error(`${what}: bad span ${JSON.stringify(span)} for a text of length ${text.length}`);
  const s = index.position(span.start);
  const e = index.position(span.end);
  if (s.line !== span.line || s.column !== span.column || e.line !== span.endLine || e.column !== span.endColumn) {
    throw new Error(`${what}: span ${JSON.stringify(span)} disagrees with its offsets (${JSON.stringify([s, e])})`);
  }
}

/** Every node's span, walked without recursion (the AST of a long chain is deep). */
function checkAstSpans(p: Program, text: string, index: LineIndex): void {
  const stack: unknown[] = [p];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
      continue;
    }
    if (node === null || typeof node !== "object") continue;
    for (const [k, v] of Object.entries(node)) {
      if (k === "span" || k === "moduleSpan") checkSpan(v as Span, text, index, `AST ${(node as { kind?: string }).kind ?? "Bounds"}`);
      else if (v !== null && typeof v === "object") stack.push(v);
    }
    if ((node as { kind?: string }).kind === "Identifier" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test((node as { name: string }).name)) {
      throw new Error(`bad identifier ${JSON.stringify(node)}`);
    }
  }
}

/** Parses and checks every invariant; returns the result. */
function robustParse(text: string) {
  const r = parse({ name: "fuzz.ppl", text });
  const index = new LineIndex(text);
  expect(Array.isArray(r.diagnostics)).toBe(true);
  for (const d of r.diagnostics as Diagnostic[]) {
    expect(d.code).toMatch(/^PPL1\d{3}$/); // never PPL9001 (internal error)
    expect(typeof d.message).toBe("string");
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.hint).toBeTruthy();
    expect(d.span).toBeDefined();
    checkSpan(d.span!, text, index, `diagnostic ${d.code}`);
  }
  expect(r.diagnostics.filter((d) => d.severity === "error").length).toBeLessThanOrEqual(MAX_ERRORS);
  if (r.value) checkAstSpans(r.value, text, index);
  if (r.diagnostics.length === 0) expect(r.value).toBeDefined();
  return r;
}

const examplesDir = join(import.meta.dirname, "../../examples");
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".ppl"))
  .map((f) => readFileSync(join(examplesDir, f), "utf8"));

const tokenImages = [
  "model", "import", "from", "data", "latent", "param", "let", "for", "in", "guide", "factor", "true", "false",
  "int", "real", "bool", "simplex", "ordered", "positive_ordered", "cov_matrix", "cholesky_cov", "cholesky_corr",
  "lower", "upper", "x", "mu", "Normal", "MLP", "0", "1", "2.5", ".5", "1e-3", '"stdlib/nn"', '"open',
  "->", "..", "||", "&&", "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "!", "*", "/", "%", "@", "^", "~",
  "?", ":", ";", ",", "(", ")", "[", "]", "{", "}", "//c\n", "/* c */", "/*", "$", "#", "σ", "\n", " ",
];

const tokenSoup = fc
  .array(fc.constantFrom(...tokenImages), { maxLength: 80 })
  .chain((toks) => fc.array(fc.constantFrom(" ", "", "\n", "\t"), { minLength: toks.length, maxLength: toks.length }).map((seps) => toks.map((t, i) => t + seps[i]).join("")));

/** Splits into rough tokens (words, numbers, single symbols, whitespace runs). */
const roughTokens = (text: string): string[] => text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\s+|./gs) ?? [];

type Mutation = { op: "delete" | "insert" | "duplicate" | "swap"; at: number; other: number; insert: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("delete" as const, "insert" as const, "duplicate" as const, "swap" as const),
  at: fc.nat(),
  other: fc.nat(),
  insert: fc.oneof(fc.constantFrom(...tokenImages), fc.string({ maxLength: 3 })),
});

function mutate<T>(items: T[], m: Mutation, make: (s: string) => T): T[] {
  if (items.length === 0) return m.op === "insert" ? [make(m.insert)] : items;
  const out = items.slice();
  const i = m.at % out.length;
  const j = m.other % out.length;
  switch (m.op) {
    case "delete":
      out.splice(i, 1);
      break;
    case "insert":
      out.splice(i, 0, make(m.insert));
      break;
    case "duplicate":
      out.splice(i, 0, out[i]!);
      break;
    case "swap":
      [out[i], out[j]] = [out[j]!, out[i]!];
      break;
  }
  return out;
}

const validProgram = fc.constantFrom(...examples, generatedModel(40));

describe("parse never throws (fast-check)", () => {
  it("on random strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        robustParse(s);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        robustParse(s);
      }),
      { numRuns: 200 },
    );
  });

  it("on random token soups", () => {
    fc.assert(
      fc.property(tokenSoup, (s) => {
        robustParse(s);
        robustParse(`model M {\n${s}\n}`);
      }),
      { numRuns: 500 },
    );
  });

  it("on valid programs with characters mutated", () => {
    fc.assert(
      fc.property(validProgram, fc.array(mutation, { minLength: 1, maxLength: 5 }), (text, ms) => {
        let chars = [...text];
        for (const m of ms) chars = mutate(chars, m, (s) => s);
        robustParse(chars.join(""));
      }),
      { numRuns: 400 },
    );
  });

  it("on valid programs with tokens mutated", () => {
    fc.assert(
      fc.property(validProgram, fc.array(mutation, { minLength: 1, maxLength: 5 }), (text, ms) => {
        let toks = roughTokens(text);
        for (const m of ms) toks = mutate(toks, m, (s) => s);
        const r = robustParse(toks.join(""));
        // Whatever survived recovery prints to something that parses cleanly.
        if (r.value) {
          const again = parse({ name: "again.ppl", text: printProgram(r.value) });
          expect(again.diagnostics.filter((d) => d.code !== "PPL1005")).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("pathological inputs", () => {
  const timed = <T>(f: () => T): { value: T; ms: number } => {
    const t = performance.now();
    const value = f();
    return { value, ms: performance.now() - t };
  };

  it("an empty file", () => {
    const r = robustParse("");
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.models).toEqual([]);
  });

  it("binary garbage", () => {
    const bytes = new Uint8Array(200_000);
    let seed = 12345;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const text = Buffer.from(bytes).toString("latin1");
    const { value: r, ms } = timed(() => robustParse(text));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[r.diagnostics.length - 1]!.code).toBe("PPL1099");
  });

  it("a 10 MB file of repeated valid statements", () => {
    const line = "  x ~ Normal(mu[i] + 1, 2.5)\n";
    const text = `model M {\n${line.repeat(Math.ceil(10_000_000 / line.length))}}\n`;
    const { value: r, ms } = timed(() => parse({ name: "big.ppl", text }));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PPL1006"]);
    expect(r.diagnostics[0]!.message).toMatch(/too large/);
  });

  it("a file just under the size limit parses in seconds", () => {
    const line = "  x ~ Normal(mu[i] + 1, 2.5)\n";
    const text = `model M {\n${line.repeat(Math.floor((MAX_SOURCE_LENGTH - 20) / line.length))}}\n`;
    const { value: r, ms } = timed(() => parse({ name: "big.ppl", text }));
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.models[0]!.body.length).toBeGreaterThan(15_000);
    expect(ms).toBeLessThan(10_000);
  });

  it("10,000 nested parentheses", () => {
    const n = 10_000;
    const { value: r, ms } = timed(() => robustParse(`model M {\n  let x = ${"(".repeat(n)}1${")".repeat(n)}\n}`));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PPL1004"]);
    expect(r.diagnostics[0]!.message).toContain(`the limit is ${MAX_NESTING}`);
  });

  it("10,000 nested brackets", () => {
    const n = 10_000;
    const { value: r, ms } = timed(() => robustParse(`model M {\n  let x = ${"[".repeat(n)}1${"]".repeat(n)}\n}`));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PPL1004"]);
  });

  it("10,000 unclosed brackets, braces and ternaries", () => {
    for (const open of ["[", "{", "(", "f(", "a ? ", "x[", "for i in 0..N { "]) {
      const r = robustParse(`model M {\n  let x = ${open.repeat(10_000)}`);
      expect(r.diagnostics.map((d) => d.code)).toContain("PPL1004");
    }
  });

  it("a 100,000-character line", () => {
    const terms = Array.from({ length: 25_000 }, (_, i) => `x${i % 10}`).join(" + ");
    expect(terms.length).toBeGreaterThan(100_000);
    const { value: r, ms } = timed(() => robustParse(`model M { let y = ${terms} }`));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics).toEqual([]);
    const name = "a".repeat(100_000);
    expect(robustParse(`model M { let ${name} = 1 }`).diagnostics).toEqual([]);
    expect(robustParse(`model M { let y = ${"1".repeat(100_000)} }`).diagnostics.map((d) => d.code)).toEqual(["PPL1005"]);
    expect(robustParse("$".repeat(100_000)).diagnostics.map((d) => d.code)).toEqual(["PPL1001"]);
  });

  it("a long soup of valid tokens gives up early instead of recovering forever", () => {
    const soup = Array.from({ length: 100_000 }, (_, i) => ["x", "~", ")", "(", "1", "data", "]", ":"][(i * 7919) % 8]).join(" ");
    const { value: r, ms } = timed(() => robustParse(`model M {\n${soup.replace(/ data/g, "\ndata")}\n}`));
    expect(ms).toBeLessThan(3000);
    expect(r.diagnostics[r.diagnostics.length - 1]!.code).toBe("PPL1099");
  });

  it("many small errors stop at the cap", () => {
    const r = robustParse("model M {\n" + "  x ~ ~\n".repeat(5000) + "}");
    expect(r.diagnostics.length).toBe(MAX_ERRORS + 1);
  });
});
