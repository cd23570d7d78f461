/** Shared set-up for the log-joint tests: compile a model, check its data, lower, build. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { buildLogJoint, checkData, compileSource, lower, type BoundData, type BuildLogJointOptions, type GraphIR, type ModelLogJoint } from "../../compiler/index.js";
import type { TypedModel } from "../../language/typed.js";
import { specialJs } from "../../stdlib/index.js";

export const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

export interface Built {
  readonly lj: ModelLogJoint;
  readonly graph: GraphIR;
  readonly typed: TypedModel;
  readonly data: BoundData;
}

export function buildFrom(text: string, data: Record<string, unknown>, opts: { args?: Record<string, number>; build?: BuildLogJointOptions } = {}): Built {
  const c = compileSource({ name: "model.ppl", text }, opts.args ? { args: opts.args } : {});
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const typed = c.value!.typed;
  const b = checkData(typed, data);
  expect(b.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const g = lower(typed, b.value!.sizes);
  expect(g.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const r = buildLogJoint(g.value!, typed, b.value!, opts.build);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { lj: r.value!, graph: g.value!, typed, data: b.value! };
}

export function exampleText(name: string): string {
  return readFileSync(join(EXAMPLES, `${name}.ppl`), "utf8");
}

export function exampleData(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES, `${name}.data.json`), "utf8")) as Record<string, unknown>;
}

export function buildExample(name: string, data?: Record<string, unknown>, opts: { args?: Record<string, number>; build?: BuildLogJointOptions } = {}): Built {
  return buildFrom(exampleText(name), data ?? exampleData(name), opts);
}

/** Plain float64 data of a bound variable. */
export const dataOf = (b: BoundData, name: string): number[] => Array.from(b.variables.get(name)!.values);

/** Latent values (one draw each, given as plain arrays) as [S=1, ...] tensors. */
export function valuesOf(values: Record<string, { data: number[]; shape: number[]; int?: boolean }>, s = 1): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(values)) {
    const flat = Array.from({ length: s }, () => v.data).flat();
    m.set(k, tf.tensor(flat, [s, ...v.shape], v.int ? "int32" : "float32"));
  }
  return m;
}

export function disposeAll(m: Map<string, tf.Tensor>): void {
  for (const t of m.values()) t.dispose();
}

/** The log joint of one draw, read back as a number. */
export function logJointAt(lj: ModelLogJoint, values: Map<string, tf.Tensor>): number[] {
  const t = lj.logJoint(values);
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reference densities in float64

const LOG_2PI = Math.log(2 * Math.PI);
export const ref = {
  normal: (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI,
  gamma: (x: number, a: number, rate: number) => a * Math.log(rate) - specialJs.lgamma(a) + (a - 1) * Math.log(x) - rate * x,
  beta: (x: number, a: number, b: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - specialJs.lbeta(a, b),
  halfCauchy: (x: number, s: number) => Math.log(2) - Math.log(Math.PI) - Math.log(s) - Math.log1p((x / s) ** 2),
  logNormal: (x: number, m: number, s: number) => ref.normal(Math.log(x), m, s) - Math.log(x),
  bernoulli: (y: number, p: number) => (y === 1 ? Math.log(p) : Math.log1p(-p)),
  bernoulliLogit: (y: number, eta: number) => y * eta - specialJs.softplus(eta),
  dirichletFlat: (k: number) => specialJs.lgamma(k),
};

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Central finite differences of a float64 function of a flat vector. */
export function numericGrad(f: (x: number[]) => number, x: readonly number[], eps = 1e-5): number[] {
  return x.map((_, i) => {
    const a = [...x];
    const b = [...x];
    a[i]! += eps;
    b[i]! -= eps;
    return (f(a) - f(b)) / (2 * eps);
  });
}

/** Relative closeness for big log densities. */
export function expectClose(got: number, want: number, rel = 2e-5, abs = 1e-3): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(Math.max(abs, rel * Math.abs(want)));
}

/** Seeded uniforms for test values. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
