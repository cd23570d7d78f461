import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { diagPart, triangularSolve } from "../tensor/linalg.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { HALF_LOG_2PI, normalNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const MultivariateNormalDefinition = defineDistribution({
  name: "MultivariateNormal",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 1 },
    { name: "scale_tril", constraint: constraints.lowerCholesky, eventRank: 2 },
  ],
  support: constraints.real,
  eventRank: 1,
  eventShapeFrom: "loc",
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "MultivariateNormal(loc, scale_tril): the Gaussian with mean vector loc and covariance scale_tril scale_tril^T, scale_tril a Cholesky factor (Stan's multi_normal_cholesky(mu, L)).",
});

/** x^T for the last two axes. */
function transposeLast(m: tf.Tensor): tf.Tensor {
  const perm = [...Array(m.rank).keys()];
  perm[m.rank - 1] = m.rank - 2;
  perm[m.rank - 2] = m.rank - 1;
  return tf.transpose(m, perm);
}

/** L v for L [..., d, d] and v [..., d] (batch axes broadcast), as a broadcast product and a sum. */
function matVec(l: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(l, tf.expandDims(v, -2)), -1);
}

/** `variance()` is the covariance's diagonal; `covariance()` gives the whole matrix. */
export class MultivariateNormalDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(MultivariateNormalDefinition, args, options);
    const self = this;
    const d = this.eventShape[0]!;
    // T(x) = (x, x x^T), eta = (P loc, -P / 2) with P = (L L^T)^-1, A = loc^T P loc / 2 + log det L.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [1, 2],
      naturalParams: () => tf.tidy(() => {
        const p = self.precision();
        return [matVec(p, self.loc), tf.mul(p, -0.5)];
      }),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return [tf.clone(xt), tf.mul(tf.expandDims(xt, -1), tf.expandDims(xt, -2))];
      }),
      logNormalizer: () => tf.tidy(() => {
        const z = self.whiten(self.loc);
        return tf.add(tf.mul(tf.sum(tf.square(z), -1), 0.5), self.halfLogDet());
      }),
      expectedSufficientStats: () => tf.tidy(() => {
        const m = self.loc;
        return [tf.clone(m), tf.add(self.covariance(), tf.mul(tf.expandDims(m, -1), tf.expandDims(m, -2)))];
      }),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return tf.fill(xt.shape.slice(0, -1), -d * HALF_LOG_2PI);
      }),
    };
  }

  get loc(): tf.Tensor {
    return this.param("loc");
  }
  get scale_tril(): tf.Tensor {
    return this.param("scale_tril");
  }

  /** L^-1 v, v [..., d] broadcasting against the batch. */
  private whiten(v: tf.Tensor): tf.Tensor {
    const out = triangularSolve(this.scale_tril, tf.expandDims(v, -1), { lower: true });
    return tf.squeeze(out, [-1]);
  }

  /** log det L = sum log diag L, shape batchShape. */
  private halfLogDet(): tf.Tensor {
    return tf.sum(tf.log(diagPart(this.scale_tril)), -1);
  }

  /** The covariance L L^T, shape [...batchShape, d, d]. */
  covariance(): tf.Tensor {
    return tf.tidy(() => tf.matMul(this.scale_tril, transposeLast(this.scale_tril)));
  }

  /** The precision (L L^T)^-1 = L^-T L^-1. */
  precision(): tf.Tensor {
    return tf.tidy(() => {
      const d = this.eventShape[0]!;
      const linv = triangularSolve(this.scale_tril, tf.eye(d), { lower: true });
      return tf.matMul(transposeLast(linv), linv);
    });
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const d = this.eventShape[0]!;
    const z = this.whiten(tf.sub(x, this.loc));
    return tf.sub(tf.mul(tf.sum(tf.square(z), -1), -0.5), tf.add(this.halfLogDet(), d * HALF_LOG_2PI));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const eps = normalNoise(rng, this.drawShape(shape));
    return tf.add(this.loc, matVec(this.scale_tril, eps));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.loc);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.sum(tf.square(this.scale_tril), -1);
  }
  protected override entropyImpl(): tf.Tensor {
    const d = this.eventShape[0]!;
    return tf.add(this.halfLogDet(), d * (0.5 + HALF_LOG_2PI));
  }
}

export const MultivariateNormal = distributionFactory(MultivariateNormalDefinition, (args, options) => new MultivariateNormalDistribution(args, options));
