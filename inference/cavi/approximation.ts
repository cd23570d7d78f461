/**
 * CAVI's fitted q as an Approximation: a product of Beta, Gamma, Normal (diagonal or a full
 * Gaussian block), Dirichlet and Categorical factors. Draws are seeded (stdlib Rng) and log q is
 * the density of the constrained values (a mass for discrete latents); the plain-JSON state
 * rebuilds it for save/load.
 */
import * as tf from "@tensorflow/tfjs";
import { PplError } from "../../language/index.js";
import type { Rng } from "../../stdlib/index.js";
import { badSavedFit } from "../errors.js";
import type { Approximation, ApproximationDraws, ApproximationKind, ApproximationState } from "../approximation/index.js";
import type { LatentLayout } from "../target.js";
import type { BoundModel } from "./bind.js";
import { BetaQ, CategoricalQ, DirichletQ, GammaQ, GaussQ, type QFactor } from "./q.js";

export interface CaviFactorState {
  readonly family: string;
  readonly nodes: readonly string[];
  readonly offsets: readonly number[];
  readonly units: number;
  readonly k: number;
  readonly dense: boolean;
  readonly params: Record<string, number[]>;
}

export interface CaviState extends ApproximationState {
  readonly family: "cavi";
  readonly factors: readonly CaviFactorState[];
  /** Each latent: its factor (index into `factors`), its offset in units, and its shape. */
  readonly latents: readonly { readonly name: string; readonly factor: number; readonly offset: number; readonly shape: readonly number[] }[];
}

const prod = (s: readonly number[]): number => s.reduce((p, x) => p * x, 1);

export class CaviApproximation implements Approximation {
  readonly family = "cavi";
  constructor(
    private readonly qs: readonly QFactor[],
    private readonly latents: CaviState["latents"],
  ) {}

  static fromModel(m: BoundModel): CaviApproximation {
    const latents = [...m.latentQ].map(([name, l]) => ({ name, factor: m.qs.indexOf(l.q), offset: l.offset, shape: [...l.shape] }));
    return new CaviApproximation(m.qs, latents);
  }

  draw(n: number, rng: Rng): ApproximationDraws {
    const bufs = this.qs.map((q) => new Float64Array(q.units * (q.family === "Dirichlet" ? q.k : 1)));
    const values = this.latents.map((l) => new Float32Array(n * prod(l.shape)));
    const logQ = new Float32Array(n);
    for (let s = 0; s < n; s++) {
      let lq = 0;
      this.qs.forEach((q, i) => {
        q.sample(rng, bufs[i]!);
        lq += q.logDensity(bufs[i]!);
      });
      logQ[s] = lq;
      this.latents.forEach((l, j) => {
        const size = prod(l.shape);
        const q = this.qs[l.factor]!;
        const start = l.offset * (q.family === "Dirichlet" ? q.k : 1);
        values[j]!.set(bufs[l.factor]!.subarray(start, start + size), s * size);
      });
    }
    return {
      values: new Map(this.latents.map((l, j) => [l.name, tf.tensor(values[j]!, [n, ...l.shape], "float32")])),
      logQ: tf.tensor1d(logQ, "float32"),
    };
  }

  state(): CaviState {
    return {
      family: "cavi",
      factors: this.qs.map((q) => ({
        family: q.family,
        nodes: [...q.nodes],
        offsets: q instanceof GaussQ ? q.nodes.map((id) => q.offsets.get(id)!) : [0],
        units: q.units,
        k: q.k,
        dense: q instanceof GaussQ ? q.dense : false,
        params: q.params(),
      })),
      latents: this.latents.map((l) => ({ ...l, shape: [...l.shape] })),
    };
  }

  dispose(): void {}
}

/** How each q family is rebuilt from its saved state. */
const Q_FROM_STATE: Readonly<Record<string, (s: CaviFactorState) => QFactor>> = {
  Beta: (s) => new BetaQ(s.nodes, s.units),
  Gamma: (s) => new GammaQ(s.nodes, s.units),
  Normal: (s) => new GaussQ(s.nodes, new Map(s.nodes.map((id, i) => [id, s.offsets[i]!])), s.units, s.dense),
  Dirichlet: (s) => new DirichletQ(s.nodes, s.units, s.k),
  Categorical: (s) => new CategoricalQ(s.nodes, s.units, s.k),
};

function factorFromState(s: CaviFactorState): QFactor {
  const make = Q_FROM_STATE[s.family];
  if (!make) throw new Error(`unknown CAVI factor family '${s.family}'`);
  const q: QFactor = make(s);
  q.setParams(s.params);
  return q;
}

export const CAVI_KIND: ApproximationKind = {
  families: ["cavi"],
  fromState(state: ApproximationState, latents: readonly LatentLayout[]): Approximation {
    const s = state as CaviState;
    for (const l of latents) {
      const saved = s.latents.find((x) => x.name === l.name);
      if (!saved || prod(saved.shape) !== l.size) throw new PplError([badSavedFit(`the saved CAVI fit does not match latent '${l.name}' of this model`)]);
    }
    return new CaviApproximation(s.factors.map(factorFromState), s.latents);
  },
};
