/**
 * The training building blocks: bceWithLogits, FusedAdam, and a small MLP whose gradient through
 * our matmul gradient (with its folded transpose) and bceWithLogits matches the gradient through
 * tfjs's stock BatchMatMul gradient and a loss composed from plain tf ops.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { FusedAdam, bceWithLogits, initBackend, matmul } from "../../../stdlib/tensor/index.js";
import { expectClose, expectNoLeak, randomArray, take } from "./helpers.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

const softplus64 = (l: number) => Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l)));
const sigmoid64 = (l: number) => 1 / (1 + Math.exp(-l));

describe("bceWithLogits", () => {
  it("matches softplus(l) - t l in float64, with gradients sigmoid(l) - t and -l", () => {
    const ls = [-90, -30, -17, -5, -1, -1e-3, 0, 1e-3, 0.5, 2, 9, 17, 30, 90].map(Math.fround);
    const ts = ls.map((_, i) => [0, 1, 0.3][i % 3]!);
    const l = tf.tensor1d(ls);
    const t = tf.tensor1d(ts);
    expectNoLeak(() => {
      // Absolute error < 1e-7 (relative for the large values).
      expectClose(take(bceWithLogits(l, t)), ls.map((v, i) => softplus64(v) - ts[i]! * v), 1e-6, 2e-7, "value");
      const [gl, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(bceWithLogits(a, b), 3)))([l, t]);
      expectClose(take(gl!), ls.map((v, i) => 3 * (sigmoid64(v) - ts[i]!)), 1e-5, 1e-6, "d/dl");
      expectClose(take(gt!), ls.map((v) => -3 * v), 1e-6, 0, "d/dt");
    });
    tf.dispose([l, t]);
  });

  it("broadcasts targets and sums their gradient back", () => {
    const l = tf.tensor2d([[-1, 0, 2], [3, -4, 0.5]]);
    const t = tf.tensor1d([1, 0, 1]);
    expectNoLeak(() => {
      const [gl, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(bceWithLogits(a, b)))([l, t]);
      expect(gl!.shape).toEqual([2, 3]);
      expectClose(take(gt!), [-(-1 + 3), -(0 - 4), -(2 + 0.5)], 1e-6, 1e-7, "d/dt summed");
      gl!.dispose();
    });
    tf.dispose([l, t]);
  });
});

describe("FusedAdam", () => {
  it("follows tf.train.adam step for step, without leaking tensors", () => {
    const init = [randomArray(12, 7), randomArray(5, 8)];
    const shapes = [[3, 4], [5]];
    const mk = () => init.map((v, i) => tf.variable(tf.tensor(v, shapes[i]!, "float32")));
    const ours = mk();
    const theirs = mk();
    const target = [tf.tensor(randomArray(12, 9), [3, 4]), tf.tensor(randomArray(5, 10), [5])];
    // A loss with gradients of very different sizes per element (so epsilon and scaling matter).
    const lossOf = (vs: tf.Variable[]) => () =>
      tf.tidy(() => tf.addN(vs.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, target[i]!)), i === 0 ? 1e3 : 1e-3)))) as tf.Scalar);
    const opt = new FusedAdam(ours, { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    const ref = tf.train.adam(0.05, 0.8, 0.99, 1e-6);
    let counts: number[] = [];
    for (let k = 0; k < 30; k++) {
      const lo = opt.minimize(lossOf(ours));
      const lr = ref.minimize(lossOf(theirs), true)!;
      expect(lo).toBeCloseTo(lr.dataSync()[0]!, 2);
      lr.dispose();
      counts.push(tf.memory().numTensors);
    }
    counts = counts.slice(1);
    expect(new Set(counts).size).toBe(1);
    ours.forEach((v, i) => expectClose(v.dataSync(), theirs[i]!.dataSync(), 1e-4, 1e-5, `variable ${i}`));
    opt.dispose();
    ref.dispose();
    tf.dispose([...ours, ...theirs, ...target]);
  });

  it("names bad settings", () => {
    const v = tf.variable(tf.zeros([2]));
    expect(() => new FusedAdam([v], { beta1: 1 })).toThrow(/argument 'beta1' of FusedAdam/);
    expect(() => new FusedAdam([v], { learningRate: 0 })).toThrow(/argument 'learningRate' of FusedAdam/);
    v.dispose();
  });
});

/** The gradient tfjs 4.22 ships for 2-D BatchMatMul (transpose flags). */
const stockGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
  },
};

describe("MLP gradient", () => {
  it("through matmul + bceWithLogits equals the stock-gradient, composed-loss result", () => {
    // 6-10-3-10-40 at batch 4: the last layer's dy @ Wᵀ takes the folded (W @ dyᵀ)ᵀ path.
    const sizes = [6, 10, 3, 10, 40];
    const batch = 4;
    const ws = sizes.slice(1).map((n, i) => tf.variable(tf.tensor(randomArray(sizes[i]! * n, 20 + i), [sizes[i]!, n], "float32")));
    const bs = sizes.slice(1).map((n, i) => tf.variable(tf.tensor(randomArray(n, 30 + i), [n], "float32")));
    const x = tf.tensor(randomArray(batch * sizes[0]!, 40), [batch, sizes[0]!], "float32");
    const y = tf.tensor(Float32Array.from(randomArray(batch * sizes[4]!, 41), (v) => (v > 0 ? 1 : 0)), [batch, sizes[4]!]);
    const logits = (mm: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => {
      let h: tf.Tensor = x;
      ws.forEach((w, i) => {
        const z = tf.add(mm(h, w), bs[i]!);
        h = i + 1 < ws.length ? tf.relu(z) : z;
      });
      return h;
    };
    const ours = () => tf.sum(bceWithLogits(logits(matmul), y)) as tf.Scalar;
    const stock = () =>
      tf.tidy(() => {
        const l = logits((a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D));
        // softplus(l) - y l from plain tf ops.
        return tf.sum(tf.sub(tf.add(tf.relu(l), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), tf.mul(y, l))) as tf.Scalar;
      });
    const vars = [...ws, ...bs];
    const g1 = expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(ours, vars);
      const out = { value: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    });
    const ourGrad = tf.getGradient("BatchMatMul");
    tf.registerGradient(stockGrad);
    let g2: typeof g1;
    try {
      const { value, grads } = tf.variableGrads(stock, vars);
      g2 = { value: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      tf.registerGradient(ourGrad);
    }
    expect(g1.value).toBeCloseTo(g2.value, 3);
    g1.grads.forEach((g, i) => expectClose(g, g2.grads[i]!, 1e-4, 1e-5, `gradient ${i}`));
    tf.dispose([...vars, x, y]);
  });
});
