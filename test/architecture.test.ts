/**
 * The layers of DESIGN.md, enforced: dependencies point one way, and a folder is entered only
 * through its index.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const LAYERS = ["language", "compiler", "inference", "stdlib", "cli"] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer may import from the others. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  language: [],
  stdlib: [],
  compiler: ["language", "stdlib"],
  inference: ["language", "compiler", "stdlib"],
  cli: ["language", "compiler", "inference", "stdlib"],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
    specs.push((m[1] ?? m[2])!);
  }
  return specs;
}

const layerOf = (path: string): Layer | undefined => {
  const top = relative(ROOT, path).split(/[\\/]/)[0];
  return (LAYERS as readonly string[]).includes(top!) ? (top as Layer) : undefined;
};

describe("architecture", () => {
  const files = LAYERS.flatMap((l) => {
    try {
      return tsFiles(join(ROOT, l));
    } catch {
      return [];
    }
  });

  it("finds the source files", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("dependencies point one way and cross folders only through index.ts", () => {
    const problems: string[] = [];
    for (const f of files) {
      const from = layerOf(f)!;
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) {
          if (from === "stdlib" && spec.startsWith("vippl")) problems.push(`${relative(ROOT, f)} imports ${spec}`);
          continue;
        }
        const target = normalize(join(dirname(f), spec));
        const to = layerOf(target);
        if (!to || to === from) continue;
        if (!ALLOWED[from].includes(to)) problems.push(`${relative(ROOT, f)}: ${from} must not import ${to} (${spec})`);
        else if (relative(join(ROOT, to), target).replace(/\\/g, "/") !== "index.js") problems.push(`${relative(ROOT, f)}: import ${to}/ through its index.ts, not ${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
