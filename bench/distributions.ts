/**
 * Distribution benchmark: log density and its gradient with respect to the parameters, on 1M
 * elements, for Normal, Gamma, Beta and Dirichlet (250,000 events of size 4), on wasm and cpu.
 * Elements per second from the median of repeated runs after a warm-up; each run reads the
 * result back (`dataSync`) so the work is really done.
 */
import * as tf from "@tensorflow/tfjs";
import { Beta, Dirichlet, type Distribution, Gamma, Normal } from "../stdlib/distributions/index.js";
import { initBackend } from "../stdlib/tensor/backend.js";
import { timeIt, type BenchRecord } from "./timing.js";

const N = 1_000_000;

interface Case {
  readonly name: string;
  /** Parameters as tensors (the gradient is taken with respect to all of them). */
  params(): tf.Tensor[];
  build(ps: tf.Tensor[]): Distribution;
  value(): tf.Tensor;
}

/** Deterministic pseudo-random data in (lo, hi) without tfjs randomness. */
function data(n: number, lo: number, hi: number, seed: number, shape: number[] = [n]): tf.Tensor {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + ((hi - lo) * (s + 0.5)) / 4294967296;
  }
  return tf.tensor(a, shape, "float32");
}

const cases: Case[] = [
  { name: "Normal", params: () => [data(N, -1, 1, 1), data(N, 0.5, 2, 2)], build: ([l, s]) => Normal.create({ loc: l!, scale: s! }, { validate: false }), value: () => data(N, -3, 3, 3) },
  { name: "Gamma", params: () => [data(N, 0.5, 5, 4), data(N, 0.5, 2, 5)], build: ([a, b]) => Gamma.create({ shape: a!, rate: b! }, { validate: false }), value: () => data(N, 0.05, 10, 6) },
  { name: "Beta", params: () => [data(N, 0.5, 5, 7), data(N, 0.5, 5, 8)], build: ([a, b]) => Beta.create({ a: a!, b: b! }, { validate: false }), value: () => data(N, 0.01, 0.99, 9) },
  {
    name: "Dirichlet",
    params: () => [data(N, 0.5, 5, 10, [N / 4, 4])],
    build: ([a]) => Dirichlet.create({ alpha: a! }, { validate: false }),
    value: () => tf.tidy(() => {
      const w = data(N, 0.1, 1, 11, [N / 4, 4]);
      return tf.div(w, tf.sum(w, -1, true));
    }),
  },
];


export async function distributionsBench(): Promise<BenchRecord[]> {
  await initBackend({ backend: "wasm" });
  const records: BenchRecord[] = [];
  for (const backend of ["wasm", "cpu"]) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
    await tf.ready();
    const runs = backend === "wasm" ? 7 : 3;
    for (const c of cases) {
      const ps = c.params();
      const x = c.value();
      const lp = timeIt(() => tf.tidy(() => void c.build(ps).logProb(x).dataSync()), runs, 1);
      records.push({ bench: "distributions", case: `${c.name}/logProb/${backend}`, backend, elements: N, median_ms: lp.median, min_ms: lp.min, runs, elements_per_s: N / (lp.median / 1000) });
      const grad = tf.grads((...p: tf.Tensor[]) => tf.sum(c.build(p).logProb(x)));
      const g = timeIt(() => tf.tidy(() => grad(ps).forEach((t) => t.dataSync())), runs, 1);
      records.push({ bench: "distributions", case: `${c.name}/grad/${backend}`, backend, elements: N, median_ms: g.median, min_ms: g.min, runs, elements_per_s: N / (g.median / 1000) });
      tf.dispose([...ps, x]);
    }
  }
  await tf.setBackend("wasm");
  return records;
}
