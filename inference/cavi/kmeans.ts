/**
 * A k-means start for a mixture's responsibilities (scikit-learn's BayesianGaussianMixture starts
 * the same way): k-means++ seeding (greedy: the best of 2 + floor(ln K) candidates per centre,
 * drawn in proportion to the squared distance to the nearest centre so far), then Lloyd
 * iterations until no point changes cluster, and hard responsibilities from the labels.
 * Points are the selector's units; a point's features are the observed values of the terms it
 * selects, keyed by the unit each term reads (the dimension `d` of `x[n, d]`).
 */
import type { Rng } from "../../stdlib/index.js";
import type { NormalAggregate } from "./aggregate.js";

/** The points as a dense matrix (NaN where a point has no term for a feature). */
export function mixturePoints(aggs: readonly NormalAggregate[], points: number): { x: Float64Array; features: number } {
  const keys: Int32Array[] = [];
  let features = 0;
  for (const a of aggs) {
    const key = new Int32Array(a.loc.q.units).fill(-1);
    for (let t = 0; t < a.f.terms; t++) if (key[a.loc.unit[t]!] === -1) key[a.loc.unit[t]!] = features++;
    keys.push(key);
  }
  // One factor whose values are already the points' rows in order (x[n, d]): read them in place.
  if (aggs.length === 1 && aggs[0]!.f.terms === points * features) {
    const a = aggs[0]!;
    const zu = a.f.selector!.unit;
    const key = keys[0]!;
    let inPlace = true;
    for (let t = 0; t < a.f.terms && inPlace; t++) inPlace = zu[t]! * features + key[a.loc.unit[t]!]! === t;
    if (inPlace) return { x: a.x, features };
  }
  const x = new Float64Array(points * features).fill(NaN);
  aggs.forEach((a, i) => {
    const v = (a.f.target as { v: Float64Array }).v;
    const zu = a.f.selector!.unit;
    for (let t = 0; t < a.f.terms; t++) x[zu[t]! * features + keys[i]![a.loc.unit[t]!]!] = v[t]!;
  });
  return { x, features };
}

function dist2(x: Float64Array, f: number, n: number, c: Float64Array, k: number): number {
  let s = 0;
  for (let d = 0; d < f; d++) {
    const v = x[n * f + d]!;
    if (v === v) {
      const cv = c[k * f + d]!;
      s += (v - cv) * (v - cv);
    }
  }
  return s;
}

/** Squared distance of every point to centre c, combined into `out` by min with `floor` (if given). */
function distances(x: Float64Array, f: number, centers: Float64Array, c: number, out: Float64Array, floor: Float64Array | null, dense: boolean): number {
  const n = out.length;
  const co = c * f;
  let total = 0;
  if (dense && f === 2) {
    // The common two-feature case, unrolled (same sums in the same order).
    const c0 = centers[co]!;
    const c1 = centers[co + 1]!;
    for (let i = 0, o = 0; i < n; i++, o += 2) {
      const e0 = x[o]! - c0;
      const e1 = x[o + 1]! - c1;
      let d = 0 + e0 * e0 + e1 * e1;
      if (floor !== null && floor[i]! < d) d = floor[i]!;
      out[i] = d;
      total += d;
    }
    return total;
  }
  for (let i = 0; i < n; i++) {
    let d = 0;
    const o = i * f;
    for (let j = 0; j < f; j++) {
      const v = x[o + j]!;
      if (v === v) {
        const e = v - centers[co + j]!;
        d += e * e;
      }
    }
    if (floor && floor[i]! < d) d = floor[i]!;
    out[i] = d;
    total += d;
  }
  return total;
}

/** Assigns every point its nearest centre; returns how many labels changed. */
function assign(x: Float64Array, f: number, centers: Float64Array, k: number, label: Int32Array, dense: boolean): number {
  const n = label.length;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    let bk = 0;
    let bd = Infinity;
    const o = i * f;
    for (let c = 0; c < k; c++) {
      let d = 0;
      const co = c * f;
      if (dense) {
        for (let j = 0; j < f; j++) {
          const e = x[o + j]! - centers[co + j]!;
          d += e * e;
        }
      } else d = dist2(x, f, i, centers, c);
      if (d < bd) {
        bd = d;
        bk = c;
      }
    }
    if (label[i] !== bk) {
      label[i] = bk;
      changed++;
    }
  }
  return changed;
}

/**
 * Dense points (no NaN): assigns every point its nearest centre and, in the same pass, sums the
 * points per new label (into `sum`, counts per feature into `cnt`); returns how many labels changed.
 */
function assignAndSum(x: Float64Array, f: number, centers: Float64Array, k: number, label: Int32Array, sum: Float64Array, cnt: Float64Array): number {
  const n = label.length;
  sum.fill(0);
  cnt.fill(0);
  let changed = 0;
  if (f === 2) {
    // The common two-feature case, unrolled (same sums in the same order).
    for (let i = 0, o = 0; i < n; i++, o += 2) {
      const x0 = x[o]!;
      const x1 = x[o + 1]!;
      let bk = 0;
      let bd = Infinity;
      for (let c = 0, co = 0; c < k; c++, co += 2) {
        const e0 = x0 - centers[co]!;
        const e1 = x1 - centers[co + 1]!;
        const d = 0 + e0 * e0 + e1 * e1;
        if (d < bd) {
          bd = d;
          bk = c;
        }
      }
      if (label[i] !== bk) {
        label[i] = bk;
        changed++;
      }
      const so = bk * 2;
      sum[so]! += x0;
      sum[so + 1]! += x1;
      cnt[so]! += 1;
      cnt[so + 1]! += 1;
    }
    return changed;
  }
  for (let i = 0, o = 0; i < n; i++, o += f) {
    let bk = 0;
    let bd = Infinity;
    for (let c = 0, co = 0; c < k; c++, co += f) {
      let d = 0;
      for (let j = 0; j < f; j++) {
        const e = x[o + j]! - centers[co + j]!;
        d += e * e;
      }
      if (d < bd) {
        bd = d;
        bk = c;
      }
    }
    if (label[i] !== bk) {
      label[i] = bk;
      changed++;
    }
    const so = bk * f;
    for (let j = 0; j < f; j++) {
      sum[so + j]! += x[o + j]!;
      cnt[so + j]! += 1;
    }
  }
  return changed;
}

/** k-means++ then Lloyd: a label in 0..k-1 per point. */
export function kmeans(x: Float64Array, features: number, k: number, rng: Rng, maxIter = 300): Int32Array {
  const f = features;
  const n = x.length / f;
  const centers = new Float64Array(k * f);
  const setCenter = (c: number, p: number) => {
    for (let d = 0; d < f; d++) centers[c * f + d] = x[p * f + d]! === x[p * f + d]! ? x[p * f + d]! : 0;
  };
  const pick = (weights: Float64Array, total: number): number => {
    let u = rng.nextUniform() * total;
    for (let i = 0; i < n; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return n - 1;
  };
  let dense = true;
  for (let i = 0; i < x.length && dense; i++) dense = x[i] === x[i];
  setCenter(0, Math.min(n - 1, Math.floor(rng.nextUniform() * n)));
  const closest = new Float64Array(n);
  let pot = distances(x, f, centers, 0, closest, null, dense);
  const trials = 2 + Math.floor(Math.log(k));
  const cand = new Float64Array(n);
  const best = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity;
    let bestPoint = 0;
    for (let tr = 0; tr < trials; tr++) {
      const p = pot > 0 ? pick(closest, pot) : Math.floor(rng.nextUniform() * n);
      setCenter(c, p);
      const s = distances(x, f, centers, c, cand, closest, dense);
      if (s < bestPot) {
        bestPot = s;
        bestPoint = p;
        best.set(cand);
      }
    }
    setCenter(c, bestPoint);
    closest.set(best);
    pot = bestPot;
  }
  // Lloyd, stopping as scikit-learn's KMeans does: no label changes, or the centres' total
  // squared shift below 1e-4 times the mean per-feature variance of the points.
  const label = new Int32Array(n).fill(-1);
  const sum = new Float64Array(k * f);
  const cnt = new Float64Array(k * f);
  const tol = 1e-4 * meanVariance(x, f);
  for (let it = 0; it < maxIter; it++) {
    // Dense points: labels and the new centres' sums in one pass.
    const changed = dense ? assignAndSum(x, f, centers, k, label, sum, cnt) : assign(x, f, centers, k, label, dense);
    if (changed === 0) break;
    if (!dense) {
      sum.fill(0);
      cnt.fill(0);
      for (let i = 0; i < n; i++) {
        const c = label[i]!;
        for (let d = 0; d < f; d++) {
          const v = x[i * f + d]!;
          if (v === v) {
            sum[c * f + d]! += v;
            cnt[c * f + d]! += 1;
          }
        }
      }
    }
    // An empty cluster keeps its centre.
    let shift = 0;
    for (let j = 0; j < k * f; j++) {
      if (cnt[j]! === 0) continue;
      const c = sum[j]! / cnt[j]!;
      shift += (c - centers[j]!) ** 2;
      centers[j] = c;
    }
    if (shift <= tol) {
      // Final labels for the final centres.
      if (dense) assignAndSum(x, f, centers, k, label, sum, cnt);
      else assign(x, f, centers, k, label, dense);
      break;
    }
  }
  return label;
}

function meanVariance(x: Float64Array, f: number): number {
  let total = 0;
  for (let d = 0; d < f; d++) {
    let s = 0;
    let s2 = 0;
    let m = 0;
    for (let i = d; i < x.length; i += f) {
      const v = x[i]!;
      if (v !== v) continue;
      s += v;
      s2 += v * v;
      m++;
    }
    if (m > 0) total += s2 / m - (s / m) ** 2;
  }
  return total / f;
}
