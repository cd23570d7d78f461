import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { activeBackend, initBackend } from "../../../stdlib/tensor/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const run = promisify(execFile);

/** Run a snippet in a fresh Node process (backend choice is per process). */
async function child(code: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!("VIPPL_BACKEND" in env)) delete e.VIPPL_BACKEND;
  return run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: ROOT, env: e, timeout: 30_000 });
}

describe("initBackend", () => {
  it("falls back from an absent tfjs-node to wasm, says so, and is idempotent", async () => {
    const warnings: string[] = [];
    expect(activeBackend()).toBeUndefined();
    const name = await initBackend({ backend: "tensorflow", warn: (m) => warnings.push(m) });
    expect(name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(warnings.join("\n")).toMatch(/tfjs-node/);
    // Second call: the active backend, no new start-up.
    expect(await initBackend({ backend: "cpu" })).toBe("wasm");
    expect(activeBackend()).toBe("wasm");
    const before = tf.memory().numTensors;
    tf.tidy(() => tf.add(tf.ones([3]), 1).dataSync());
    expect(tf.memory().numTensors).toBe(before);
  });

  it("starts wasm by default in a fresh process", async () => {
    const { stdout } = await child(`import("./stdlib/tensor/backend.ts").then(async (m) => { console.log("BACKEND=" + (await m.initBackend())); })`);
    expect(stdout).toContain("BACKEND=wasm");
  });

  it("honours VIPPL_BACKEND=cpu", async () => {
    const { stdout } = await child(
      `import("./stdlib/tensor/backend.ts").then(async (m) => { const tf = await import("@tensorflow/tfjs"); const b = await m.initBackend(); console.log("BACKEND=" + b + " ACTIVE=" + tf.getBackend()); })`,
      { VIPPL_BACKEND: "cpu" },
    );
    expect(stdout).toContain("BACKEND=cpu ACTIVE=cpu");
  });

  it("falls back to cpu when wasm cannot start, and says so", async () => {
    // A wasm backend whose factory fails: setBackend('wasm') then resolves false.
    const { stdout, stderr } = await child(
      `import("@tensorflow/tfjs").then(async (tf) => { tf.registerBackend("wasm", async () => { throw new Error("no wasm here"); }, 1); const m = await import("./stdlib/tensor/backend.ts"); const b = await m.initBackend(); console.log("BACKEND=" + b + " ACTIVE=" + tf.getBackend()); })`,
    );
    expect(stdout).toContain("BACKEND=cpu ACTIVE=cpu");
    expect(stderr).toMatch(/falling back to cpu/);
  });
});
