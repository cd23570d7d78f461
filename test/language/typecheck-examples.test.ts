/**
 * Every shipped example type-checks with no errors and no warnings.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../language/parse.js";
import { typecheck } from "../../language/typecheck.js";
import { renderDiagnostics } from "../../language/diagnostics.js";
import type { Signatures } from "../../language/signatures.js";
import { stdlibSignatures } from "../../stdlib/signatures.js";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "examples");
const signatures = stdlibSignatures() as unknown as Signatures;

describe("examples type-check clean", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".ppl")).sort();
  it("finds the examples", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, () => {
      const file = { name: `examples/${f}`, text: readFileSync(join(EXAMPLES, f), "utf8") };
      const parsed = parse(file);
      expect(parsed.diagnostics, renderDiagnostics(parsed.diagnostics, file)).toEqual([]);
      const r = typecheck(parsed.value!, signatures);
      expect(r.diagnostics, renderDiagnostics(r.diagnostics, file)).toEqual([]);
      expect(r.value).toBeDefined();
    });
  }
});
