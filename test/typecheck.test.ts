/**
 * The tests, examples and benchmarks type-check too (tsconfig.json covers only the shipped
 * sources): a type error in a test file would otherwise pass unnoticed, since vitest strips types.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

describe("type check", () => {
  for (const config of ["tsconfig.test.json", "tsconfig.bench.json"]) {
    it(`${config} has no type errors`, () => {
      let out = "";
      try {
        execFileSync(process.execPath, [tsc, "-p", config, "--noEmit"], { encoding: "utf8", stdio: "pipe" });
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(out).toBe("");
    }, 180_000);
  }
});
