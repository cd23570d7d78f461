/**
 * Tensor-layer benchmark: special-function throughput (lgamma, digamma, lbeta), matmul GFLOP/s,
 * and one Adam step of a 784-400-20-400-784 MLP (relu hidden, sigmoid out, Bernoulli / BCE loss)
 * at batch 128, on wasm (and cpu where it is affordable). Median of repeated runs after warm-up.
 */
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { bceWithLogits, digamma, FusedAdam, initBackend, lbeta, lgamma, matmul, Rng, softplus } from "../stdlib/tensor/index.js";
import { timeIt, type BenchRecord } from "./timing.js";


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
  // lbeta(a, b): no goal of its own; Beta's and Dirichlet's densities go through it.
  const y = rng.uniform([n], 0.01, 50);
  const t = timeIt(() => lbeta(x, y).dispose(), runs, 2);
  out.push({ bench: "tensor", case: `lbeta/1M/${backend}`, backend, median_ms: t.median, min_ms: t.min, runs, elements_per_s: n / (t.median / 1000) });
  tf.dispose([x, y]);
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

/**
 * Our BatchMatMul gradient before dy @ Bᵀ was folded to (B @ dyᵀ)ᵀ for a large B (2-D only,
 * which is all the MLP uses): explicit transposes, no flags. For the before/after rows.
 */
const unfoldedBatchMatMulGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return { a: () => tf.matMul(g, tf.transpose(b)), b: () => tf.matMul(tf.transpose(a), g) };
  },
};

interface MlpVariant {
  readonly label: string;
  /** The step as first built: softplus(l) - x l from composed ops, tf.train.adam. */
  readonly previousStep?: boolean;
  /** A BatchMatMul gradient to register around this variant's steps (else ours). */
  readonly grad?: tf.GradConfig;
  readonly goal?: boolean;
}

interface MlpCase {
  readonly variant: MlpVariant;
  step(): void;
  leaked(): number;
  dispose(): void;
}

/**
 * One Adam step of a 784-400-20-400-784 relu MLP at batch 128 with a Bernoulli (BCE-with-logits)
 * loss. The current step uses `bceWithLogits` (closed-form gradient, sigmoid instead of exp) and
 * `FusedAdam` (10 elementwise ops per variable against 14).
 */
function mlpCase(variant: MlpVariant): MlpCase {
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
  const logits = () => {
    let h: tf.Tensor = x;
    for (let i = 0; i < weights.length; i++) {
      const z = tf.add(matmul(h, weights[i]!), biases[i]!);
      h = i + 1 < weights.length ? tf.relu(z) : z;
    }
    return h;
  };
  let step: () => void;
  let dispose: () => void;
  if (variant.previousStep) {
    const opt = tf.train.adam(1e-3);
    const loss = () =>
      tf.tidy(() => {
        const h = logits();
        return tf.div(tf.sum(tf.sub(softplus(h), tf.mul(x, h))), batch) as tf.Scalar;
      });
    step = () => {
      const cost = opt.minimize(loss, true);
      cost!.dataSync();
      cost!.dispose();
    };
    dispose = () => opt.dispose();
  } else {
    const opt = new FusedAdam([...weights, ...biases], { learningRate: 1e-3 });
    const loss = () => tf.tidy(() => tf.div(tf.sum(bceWithLogits(logits(), x)), batch) as tf.Scalar);
    step = () => void opt.minimize(loss);
    dispose = () => opt.dispose();
  }
  const ours = tf.getGradient("BatchMatMul");
  const run = () => {
    if (!variant.grad) return step();
    tf.registerGradient(variant.grad);
    try {
      step();
    } finally {
      tf.registerGradient(ours);
    }
  };
  run();
  return {
    variant,
    step: run,
    leaked: () => {
      // Measured apart from the other variants (whose variables come and go).
      const before = tf.memory().numTensors;
      run();
      run();
      return tf.memory().numTensors - before;
    },
    dispose: () => {
      dispose();
      tf.dispose([...weights, ...biases, x]);
    },
  };
}

/** Time the variants interleaved (one step of each per round), so they share the machine's state. */
function mlpRecords(backend: string, variants: MlpVariant[], runs: number, warmup: number): BenchRecord[] {
  const cases = variants.map(mlpCase);
  const times = cases.map((): number[] => []);
  for (let r = 0; r < warmup + runs; r++) {
    cases.forEach((c, i) => {
      const s = performance.now();
      c.step();
      if (r >= warmup) times[i]!.push(performance.now() - s);
    });
  }
  const out = cases.map((c, i): BenchRecord => {
    const t = times[i]!.sort((a, b) => a - b);
    const median = t[Math.floor(t.length / 2)]!;
    const goal = backend === "wasm" && c.variant.goal;
    return { bench: "tensor", case: `mlp-784-400-20-400-784/adam-step/batch128/${backend}${c.variant.label}`, backend, median_ms: median, min_ms: t[0]!, runs, leaked_tensors: c.leaked(), pytorch_ms: 10.6, goal_ms: goal ? 4 * 10.6 : undefined, meets_goal: goal ? median <= 4 * 10.6 : undefined };
  });
  cases.forEach((c) => c.dispose());
  return out;
}

export async function tensorBench(): Promise<BenchRecord[]> {
  await initBackend({ backend: "wasm" });
  const records: BenchRecord[] = [];
  records.push(...specialRecords("wasm", 11));
  records.push(...(await onBackend("cpu", () => specialRecords("cpu", 3))));
  records.push(...matmulRecords("wasm", [256, 512], 9));
  records.push(...(await onBackend("cpu", () => matmulRecords("cpu", [256], 3))));
  // The current step against the previous one (composed softplus loss, tf.train.adam, unfolded
  // matmul gradient), interleaved in one run.
  records.push(...mlpRecords("wasm", [{ label: "", goal: true }, { label: "/previous-step", previousStep: true, grad: unfoldedBatchMatMulGrad }], 21, 5));
  // The same step with tfjs's own BatchMatMul gradient (transpose flags).
  records.push(...mlpRecords("wasm", [{ label: "/stock-matmul-gradient", grad: stockBatchMatMulGrad }], 7, 2));
  records.push(...(await onBackend("cpu", () => mlpRecords("cpu", [{ label: "" }], 3, 1))));
  // These machines are shared: keep the load next to the figures.
  const load = loadavg()[0]!;
  return records.map((r) => ({ ...r, load_avg_1min: load }));
}
