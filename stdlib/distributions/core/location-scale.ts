/**
 * The location-scale families (Normal, Cauchy, Laplace, Logistic, HalfCauchy): one declaration
 * of their two parameters and one pair of accessors.
 */
import type * as tf from "@tensorflow/tfjs";
import { constraints } from "../../constraints.js";
import { Distribution } from "./distribution.js";

/** `loc` any real, `scale` positive, one value per element. */
export const LOCATION_SCALE_PARAMS = [
  { name: "loc", constraint: constraints.real, eventRank: 0 },
  { name: "scale", constraint: constraints.positive, eventRank: 0 },
] as const;

export abstract class LocationScaleDistribution extends Distribution {
  get loc(): tf.Tensor {
    return this.param("loc");
  }
  get scale(): tf.Tensor {
    return this.param("scale");
  }
}
