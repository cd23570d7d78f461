/**
 * Adam on tf.Variables with a decaying step size, per-variable step multipliers (the guides'
 * sd scaling of the means), global gradient-norm clipping, and a snapshot of the last good state
 * to step back to when a step goes non-finite.
 */
import * as tf from "@tensorflow/tfjs";

export interface AdamSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: AdamSettings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export interface AdamStateData {
  readonly t: number;
  readonly m: number[][];
  readonly v: number[][];
}

/** lr_t = lr0 / sqrt(1 + t / tau). */
/**
 * A per-variable multiplier of Adam's steps: a tensor of the variable's shape (elementwise), or a
 * matrix L (for a vector variable) under which Adam steps in whitened coordinates: it sees the
 * gradient L^T g and its step s moves the variable by L s. Undefined: 1.
 */
export type StepScale = tf.Tensor | { readonly matrix: tf.Tensor2D } | undefined;

export function disposeStepScale(s: StepScale): void {
  if (!s) return;
  if (s instanceof tf.Tensor) s.dispose();
  else s.matrix.dispose();
}

export const decayedRate = (lr0: number, tau: number, t: number): number => lr0 / Math.sqrt(1 + t / tau);

export class Adam {
  t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    readonly variables: readonly tf.Variable[],
    private readonly s: AdamSettings = ADAM_DEFAULTS,
  ) {
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /**
   * One update with gradients of the loss (to be minimised), multiplied by `clip` (a scalar
   * tensor or number), with optional per-variable step multipliers.
   */
  apply(grads: readonly tf.Tensor[], lr: number, clip: tf.Tensor | number, scales: readonly StepScale[]): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this.s;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    tf.tidy(() => {
      this.variables.forEach((x, i) => {
        const sc = scales[i];
        const mat = sc && !(sc instanceof tf.Tensor) ? sc.matrix : undefined;
        // With a matrix L, Adam runs in the whitened coordinates w (x = x0 + L w): gradient L^T g, step L s.
        const g = tf.mul(mat ? tf.reshape(tf.matMul(tf.reshape(grads[i]!, [1, -1]), mat), x.shape) : grads[i]!, clip);
        const m = tf.add(tf.mul(this.m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        let step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        if (mat) step = tf.reshape(tf.matMul(mat, tf.reshape(step, [-1, 1])), x.shape);
        else if (sc) step = tf.mul(step, sc as tf.Tensor);
        x.assign(tf.sub(x, tf.mul(step, lr)));
      });
    });
  }

  state(): AdamStateData {
    return { t: this.t, m: this.m.map((x) => Array.from(x.dataSync())), v: this.v.map((x) => Array.from(x.dataSync())) };
  }

  restore(d: AdamStateData): void {
    this.t = d.t;
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(Float32Array.from(d.m[i]!), x.shape, "float32")));
      this.v.forEach((x, i) => x.assign(tf.tensor(Float32Array.from(d.v[i]!), x.shape, "float32")));
    });
  }

  /** Slot variables (for snapshots). */
  get slots(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

/** Copies of a list of variables, to step back to. */
export class Snapshot {
  private readonly copies: tf.Variable[];
  t = 0;
  constructor(private readonly vars: readonly tf.Variable[]) {
    this.copies = vars.map((x) => tf.tidy(() => tf.variable(x.clone(), false)));
  }
  save(t: number): void {
    this.t = t;
    this.vars.forEach((x, i) => this.copies[i]!.assign(x));
  }
  restore(): number {
    this.vars.forEach((x, i) => x.assign(this.copies[i]!));
    return this.t;
  }
  read(): number[][] {
    return this.copies.map((c) => Array.from(c.dataSync()));
  }
  write(t: number, values: readonly number[][]): void {
    this.t = t;
    tf.tidy(() => this.copies.forEach((c, i) => c.assign(tf.tensor(Float32Array.from(values[i]!), c.shape, "float32"))));
  }
  dispose(): void {
    for (const c of this.copies) c.dispose();
  }
}

/** Global L2 norm of a list of gradients (scalar tensor). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
}

/**
 * Adaptive clipping threshold: 10x the median of recent gradient norms (Infinity until a few
 * steps are seen), so an occasional wild Monte Carlo draw cannot throw the iterates far.
 */
export class ClipRule {
  norms: number[] = [];
  constructor(private readonly fixed: number | undefined, private readonly memory = 100) {}
  threshold(): number {
    if (this.fixed !== undefined) return this.fixed;
    if (this.norms.length < 10) return Infinity;
    const s = [...this.norms].sort((a, b) => a - b);
    return 10 * s[Math.floor(s.length / 2)]!;
  }
  record(norm: number): void {
    this.norms.push(norm);
    if (this.norms.length > this.memory) this.norms.shift();
  }
}
