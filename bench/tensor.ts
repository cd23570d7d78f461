/**
 * Tensor-layer benchmark: special-function throughput, matmul GFLOP/s, and one Adam step of a
 * 784-400-20-400-784 MLP (relu hidden, sigmoid out, Bernoulli / BCE loss) at batch 128, on wasm
 * (and cpu where it is affordable). Median of repeated runs after warm-up.
 */
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { digamma, initBackend, lgamma, matmul, Rng, softplus } from "../stdlib/tensor/index.js";
import type { BenchRecord } from "./frontend.js";

function timeIt(fn: () => void, runs: number, warmup: number): { median: number; min: number } {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, min: t[0]! };
}

async function onBackend<R>(name: string, fn: () => R): Promise<R> {
  const prev = tf.getBackend();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  try {
    return fn();
  } finally {
    await tf.setBackend(prev);
  }
}

function specialRecords(backend: string, runs: number): BenchRecord[] {
  const n = 1_000_000;
  const rng = new Rng("bench-special");
  const x = rng.uniform([n], 0.01, 50);
  const out: BenchRecord[] = [];
  for (const [name, f] of [["lgamma", lgamma], ["digamma", digamma]] as const) {
    const t = timeIt(() => f(x).dispose(), runs, 2);
    const eps = n / (t.median / 1000);
    out.push({ bench: "tensor", case: `${name}/1M/${backend}`, backend, median_ms: t.median, min_ms: t.min, runs, elements_per_s: eps, goal_elements_per_s: backend === "wasm" ? 40e6 : undefined, meets_goal: backend === "wasm" ? eps >= 40e6 : undefined });
  }
  x.dispose();
  return out;
}

function matmulRecords(backend: string, sizes: number[], runs: number): BenchRecord[] {
  const rng = new Rng("bench-matmul");
  const out: BenchRecord[] = [];
  for (const n of sizes) {
    const a = rng.normal([n, n]);
    const b = rng.normal([n, n]);
    const t = timeIt(() => tf.tidy(() => void matmul(a, b).dataSync()), runs, 2);
    out.push({ bench: "tensor", case: `matmul/${n}x${n}x${n}/${backend}`, backend, median_ms: t.median, min_ms: t.min, runs, gflops: (2 * n ** 3) / (t.median / 1000) / 1e9 });
    // The batched-by-matrix product that matmul folds to 2-D.
    if (n === 256) {
      const a3 = rng.normal([8, 128, n]);
      const tb = timeIt(() => tf.tidy(() => void matmul(a3, b).dataSync()), runs, 2);
      out.push({ bench: "tensor", case: `matmul/[8,128,${n}]x[${n},${n}]/${backend}`, backend, median_ms: tb.median, min_ms: tb.min, runs, gflops: (2 * 8 * 128 * n * n) / (tb.median / 1000) / 1e9 });
      a3.dispose();
    }
    tf.dispose([a, b]);
  }
  return out;
}

/** The gradient tfjs 4.22 ships for BatchMatMul (transpose flags), for the comparison run. */
const stockBatchMatMulGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
  },
};

function mlpRecord(backend: string, runs: number, warmup: number, label = ""): BenchRecord {
  const rng = new Rng("bench-mlp");
  const sizes = [784, 400, 20, 400, 784];
  const batch = 128;
  const weights: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const scale = Math.sqrt(2 / sizes[i]!);
    weights.push(tf.variable(rng.normal([sizes[i]!, sizes[i + 1]!], 0, scale)));
    biases.push(tf.variable(tf.zeros([sizes[i + 1]!])));
  }
  const x = rng.bernoulli([batch, 784], 0.3);
  const opt = tf.train.adam(1e-3);
  const loss = () =>
    tf.tidy(() => {
      let h: tf.Tensor = x;
      for (let i = 0; i < weights.length; i++) {
        const z = tf.add(matmul(h, weights[i]!), biases[i]!);
        h = i + 1 < weights.length ? tf.relu(z) : z;
      }
      // Bernoulli log-likelihood with sigmoid output: BCE(logits) = softplus(l) - x l.
      return tf.div(tf.sum(tf.sub(softplus(h), tf.mul(x, h))), batch) as tf.Scalar;
    });
  const step = () => {
    const cost = opt.minimize(loss, true);
    cost!.dataSync();
    cost!.dispose();
  };
  step();
  const before = tf.memory().numTensors;
  const t = timeIt(step, runs, warmup);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([...weights, ...biases, x]);
  opt.dispose();
  return { bench: "tensor", case: `mlp-784-400-20-400-784/adam-step/batch128/${backend}${label}`, backend, median_ms: t.median, min_ms: t.min, runs, leaked_tensors: leaked, pytorch_ms: 10.6, goal_ms: backend === "wasm" && !label ? 4 * 10.6 : undefined, meets_goal: backend === "wasm" && !label ? t.median <= 4 * 10.6 : undefined };
}

export async function tensorBench(): Promise<BenchRecord[]> {
  await initBackend({ backend: "wasm" });
  const records: BenchRecord[] = [];
  records.push(...specialRecords("wasm", 11));
  records.push(...(await onBackend("cpu", () => specialRecords("cpu", 3))));
  records.push(...matmulRecords("wasm", [256, 512], 9));
  records.push(...(await onBackend("cpu", () => matmulRecords("cpu", [256], 3))));
  records.push(mlpRecord("wasm", 21, 5));
  // The same step with tfjs's own BatchMatMul gradient (transpose flags), then ours again.
  const ours = tf.getGradient("BatchMatMul");
  tf.registerGradient(stockBatchMatMulGrad);
  try {
    records.push(mlpRecord("wasm", 7, 2, "/stock-matmul-gradient"));
  } finally {
    tf.registerGradient(ours);
  }
  records.push(...(await onBackend("cpu", () => [mlpRecord("cpu", 3, 1)])));
  // These machines are shared: keep the load next to the figures.
  const load = loadavg()[0]!;
  return records.map((r) => ({ ...r, load_avg_1min: load }));
}
