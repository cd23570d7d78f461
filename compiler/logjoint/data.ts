/**
 * The bound data as tensors, made once at build time: real data as float32, int and bool data as
 * int32 (0/1 for bools). Under minibatching, every data variable with an axis in the subsampled
 * plate is gathered to the batch's indices along that axis.
 */
import * as tf from "@tensorflow/tfjs";
import type { BoundData } from "../data/index.js";
import type { GraphIR } from "../ir.js";

export interface Minibatch {
  readonly plate: string;
  readonly indices: Int32Array;
}

export class DataTensors {
  private readonly full = new Map<string, tf.Tensor>();
  private sliced = new Map<string, tf.Tensor>();
  /** Data variables with an axis in each plate: name -> axis. */
  private readonly plateAxes = new Map<string, Map<string, number>>();

  constructor(
    private readonly graph: GraphIR,
    readonly data: BoundData,
  ) {
    for (const v of data.variables.values()) {
      const t = v.elem === "real" ? tf.tensor(Float32Array.from(v.values), [...v.shape], "float32") : tf.tensor(Int32Array.from(v.values), [...v.shape], "int32");
      this.full.set(v.name, t);
    }
    for (const n of graph.nodes.values()) {
      if (n.kind !== "data" && n.kind !== "observed") continue;
      n.axisPlates.forEach((p, axis) => {
        if (p === null) return;
        const m = this.plateAxes.get(p) ?? new Map<string, number>();
        if (!m.has(n.name)) m.set(n.name, axis);
        this.plateAxes.set(p, m);
      });
    }
  }

  /** A data variable's tensor (the batch's rows under minibatching). */
  get(name: string): tf.Tensor | undefined {
    return this.sliced.get(name) ?? this.full.get(name);
  }

  /** The full tensor behind a data tensor: itself, or the one a minibatch slice was gathered from; undefined for any other tensor. */
  origin(t: tf.Tensor): tf.Tensor | undefined {
    for (const [name, full] of this.full) {
      if (full === t || this.sliced.get(name) === t) return full;
    }
    return undefined;
  }

  /** Integer scalar data as a number. */
  scalar(name: string): number | undefined {
    const v = this.data.variables.get(name);
    if (v && v.shape.length === 0) return v.values[0];
    return undefined;
  }

  /** Gathers the plate's data to the batch indices (null: back to the full data). */
  setMinibatch(mb: Minibatch | null): void {
    for (const t of this.sliced.values()) t.dispose();
    this.sliced = new Map();
    if (!mb) return;
    const plate = this.graph.plates.get(mb.plate);
    if (!plate) throw new Error(`minibatch: no plate '${mb.plate}' in model ${this.graph.model}; plates: ${[...this.graph.plates.keys()].join(", ") || "none"}`);
    const n = plate.concreteSize;
    for (const i of mb.indices) {
      if (!Number.isInteger(i) || i < 0 || (n !== null && i >= n)) throw new Error(`minibatch: index ${i} is outside plate '${mb.plate}' of size ${n}`);
    }
    const axes = this.plateAxes.get(mb.plate) ?? new Map<string, number>();
    const idx = tf.tensor1d(Int32Array.from(mb.indices), "int32");
    try {
      for (const [name, axis] of axes) {
        const t = this.full.get(name);
        if (t) this.sliced.set(name, tf.gather(t, idx, axis));
      }
    } finally {
      idx.dispose();
    }
  }

  dispose(): void {
    for (const t of this.full.values()) t.dispose();
    for (const t of this.sliced.values()) t.dispose();
    this.full.clear();
    this.sliced.clear();
  }
}
