/**
 * Golden tests: every bad program under test/fixtures/bad/<phase>/ is rendered exactly as the
 * CLI prints it and compared with its `.expected.txt`. Regenerate with `UPDATE_GOLDEN=1 npm test`
 * after a deliberate change, and read the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../language/index.js";
import { frontEnd } from "../cli/pipeline.js";

const ROOT = join(import.meta.dirname, "..");
const BAD = join(ROOT, "test/fixtures/bad");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** The code band each phase's mistakes must be reported in. */
const BAND: Record<string, string> = {
  lex: "PPL1",
  parse: "PPL1",
  names: "PPL2",
  types: "PPL2",
  shapes: "PPL2",
  guide: "PPL2",
  network: "PPL2",
  data: "PPL3",
};

const cases = readdirSync(BAD)
  .sort()
  .flatMap((phase) =>
    readdirSync(join(BAD, phase))
      .filter((f) => f.endsWith(".ppl"))
      .sort()
      .map((f) => ({ phase, name: f.replace(/\.ppl$/, ""), path: join(BAD, phase, f) })),
  );

describe("golden diagnostics", () => {
  it("has at least 40 bad programs across every phase", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.phase))).toEqual(new Set(Object.keys(BAND)));
  });

  for (const c of cases) {
    it(`${c.phase}/${c.name}`, () => {
      const rel = relative(ROOT, c.path).replace(/\\/g, "/");
      const r = frontEnd(rel, {});
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      expect(errors.length, "a bad program must give at least one error").toBeGreaterThan(0);
      expect(errors[0]!.code.startsWith(BAND[c.phase]!), `first error ${errors[0]!.code} should be in band ${BAND[c.phase]}xxx`).toBe(true);
      for (const d of errors) {
        expect(d.code).toMatch(/^PPL\d{4}$/);
        expect(d.message.length).toBeGreaterThan(5);
      }
      const rendered = renderDiagnostics(r.diagnostics, r.file) + "\n";
      expect(rendered).toContain("-->");
      expect(rendered).toContain("^");
      expect(rendered).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // never a stack trace
      const golden = c.path.replace(/\.ppl$/, ".expected.txt");
      if (UPDATE || !existsSync(golden)) {
        if (!UPDATE) throw new Error(`no golden file ${relative(ROOT, golden)}; run UPDATE_GOLDEN=1 npm test and review it`);
        writeFileSync(golden, rendered);
      }
      expect(rendered).toBe(readFileSync(golden, "utf8"));
    });
  }
});
