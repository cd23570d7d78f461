/**
 * Seeds for the samplers. Draws come from the tensor layer's seeded `Rng` (generated in JS, so the
 * same seed gives the same draws on every backend); there is no global randomness anywhere.
 */
import { Rng } from "../../tensor/rng.js";

export { Rng };

/** A number seeds a fresh generator; an `Rng` is used (and advanced) as it is. */
export type Seed = number | Rng;

export function toRng(seed: Seed): Rng {
  if (typeof seed === "number") {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    return new Rng(seed);
  }
  if (seed instanceof Rng) return seed;
  throw new Error(`seed must be a number or an Rng, got ${String(seed)}`);
}

/** n standard normals as float32 data. */
export function normals(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextNormal();
  return out;
}

/** n uniforms on the open interval (0, 1) that stay inside it after rounding to float32. */
export function openUniforms(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  const lo = 2 ** -40;
  const hi = 1 - 2 ** -24;
  for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(rng.nextUniform(), lo), hi);
  return out;
}
