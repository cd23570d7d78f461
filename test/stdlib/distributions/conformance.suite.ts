/**
 * The distribution conformance table (STYLE.md convention 12), checked with seeded fast-check
 * runs on the backend the including test file names (conformance.test.ts: wasm;
 * conformance-cpu.test.ts: cpu): log densities against float64 closed forms, normalisation, sample
 * moments, support, seeding, gradients against finite differences, rsample gradients, the
 * exponential-family identity, named argument errors and tensor leaks.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { checkValue } from "../../../stdlib/constraints.js";
import { type Distribution, DistributionArgumentError, NoClosedFormError, distributionFactories, distributions } from "../../../stdlib/distributions/index.js";
import { initBackend } from "../../../stdlib/tensor/backend.js";
import { type Args, type Quadrature, type Row, type X, argsFromConstraints, rows } from "./table.js";
import { backendUnderTest } from "./backend-under-test.js";

beforeAll(async () => {
  const backend = backendUnderTest();
  expect(await initBackend({ backend })).toBe(backend);
});

const SEED = 20240607;
const build = (row: Row, a: Args): Distribution => row.factory.create(a as never);
const argsOf = (row: Row) => row.args ?? argsFromConstraints(row.factory);
const flat = (t: tf.Tensor) => Array.from(t.dataSync());
const isVectorEvent = (row: Row) => row.factory.eventRank === 1;

/** Draws as JS values: numbers, or event vectors. */
function drawValues(d: Distribution, n: number, seed: number): X[] {
  const t = d.sample([n], seed);
  const v = t.arraySync() as X[];
  t.dispose();
  return v;
}

function logProbAt(d: Distribution, xs: X[]): number[] {
  const t = d.logProb(tf.tensor(xs as number[]));
  const out = flat(t);
  t.dispose();
  return out;
}

/** float32 agreement for log densities: absolute near 0, relative for large values. */
function closeLp(got: number, want: number, tol = 2e-4): boolean {
  if (want === -Infinity) return got === -Infinity;
  return Math.abs(got - want) <= tol * (1 + Math.abs(want));
}

describe("conformance table", () => {
  it("has one row per distribution and every factory", () => {
    expect(rows.map((r) => r.factory.name).sort()).toEqual(distributions.map((d) => d.name).sort());
    expect([...distributionFactories.keys()].sort()).toEqual(distributions.map((d) => d.name).sort());
    for (const r of rows) {
      expect(typeof r.factory).toBe("function");
      expect(r.factory.definition).toBe(distributions.find((d) => d.name === r.factory.name));
      expect(r.factory.params).toBe(r.factory.definition.params);
    }
  });
});

for (const row of rows) {
  const name = row.factory.name;
  const def = row.factory.definition;

  describe(name, () => {
    it("logProb matches the float64 closed form at its own draws", () => {
      fc.assert(
        fc.property(argsOf(row), fc.integer({ min: 0, max: 1e6 }), (a, s) => {
          const d = build(row, a);
          const xs = drawValues(d, 16, s);
          const got = logProbAt(d, xs);
          d.dispose();
          xs.forEach((x, i) => {
            const want = row.logProb(a, x);
            if (!closeLp(got[i]!, want)) throw new Error(`${name}(${JSON.stringify(a)}) at ${JSON.stringify(x)}: ${got[i]} vs ${want}`);
          });
        }),
        { numRuns: 25, seed: SEED },
      );
    });

    if (row.quadrature || row.sumOver) {
      it(row.sumOver ? "mass function sums to 1" : "density integrates to 1", () => {
        fc.assert(
          fc.property(row.quadratureArgs ?? argsOf(row), (a) => {
            const d = build(row, a);
            const total = row.sumOver ? sumMass(d, row.sumOver(a)) : integrate(d, row.quadrature!(a));
            d.dispose();
            if (!(Math.abs(total - 1) < 2e-3)) throw new Error(`${name}(${JSON.stringify(a)}) total ${total}`);
          }),
          { numRuns: 15, seed: SEED },
        );
      });
    }

    it("draws lie in the support and the same seed gives the same draws", () => {
      fc.assert(
        fc.property(argsOf(row), (a) => {
          const d = build(row, a);
          const t1 = d.sample([200], 11);
          const t2 = d.sample([200], 11);
          const t3 = d.sample([200], 12);
          const v1 = flat(t1);
          expect(v1).toEqual(flat(t2));
          if (!def.discrete) expect(v1).not.toEqual(flat(t3));
          const resolve = (ref: { param: string } | { sizeOf: string; offset: number }) =>
            "param" in ref ? (a[ref.param] as number) : (a[ref.sizeOf] as number[]).length + ref.offset;
          const problem = checkValue(def.support, v1, resolve, t1.shape);
          expect(problem, JSON.stringify(problem)).toBeNull();
          if (def.supportFromParams) {
            expect(Math.min(...v1)).toBeGreaterThanOrEqual(a.lower as number);
            expect(Math.max(...v1)).toBeLessThanOrEqual(a.upper as number);
          }
          // log p is finite at every draw.
          const lp = d.logProb(t1);
          expect(flat(lp).every(Number.isFinite)).toBe(true);
          tf.dispose([t1, t2, t3, lp]);
          d.dispose();
        }),
        { numRuns: 10, seed: SEED },
      );
    });

    if (row.momentArgs !== null) {
      it("sample moments agree with mean() and variance() within 5 standard errors", () => {
        fc.assert(
          fc.property(row.momentArgs ?? argsOf(row), fc.integer({ min: 0, max: 1e6 }), (a, s) => {
            const d = build(row, a);
            const n = row.momentSamples ?? 20_000;
            const mu4 = row.centralMoment4?.(a);
            const t = d.sample([n], s);
            const x = flat(t);
            const m = flat(d.mean());
            const v = flat(d.variance());
            t.dispose();
            d.dispose();
            const k = m.length;
            for (let j = 0; j < k; j++) {
              let s1 = 0;
              for (let i = 0; i < n; i++) s1 += x[i * k + j]!;
              const mh = s1 / n;
              let s2 = 0;
              let s4 = 0;
              for (let i = 0; i < n; i++) {
                const c = (x[i * k + j]! - mh) ** 2;
                s2 += c;
                s4 += c * c;
              }
              const vh = s2 / (n - 1);
              if (!Number.isFinite(v[j]!)) throw new Error(`${name}(${JSON.stringify(a)}) variance[${j}] ${v[j]} where it is finite`);
              const seMean = Math.sqrt(v[j]! / n);
              // Var(s^2) = mu4 / n - sigma^4 (n - 3) / (n (n - 1)): from the exact fourth moment
              // when the row gives it, else from the sample's.
              const seVar = mu4 === undefined ? Math.sqrt(Math.max(s4 / n - vh * vh, 0) / n) : Math.sqrt(Math.max(mu4 / n - (v[j]! ** 2 * (n - 3)) / (n * (n - 1)), 0));
              const tolM = 5 * seMean + 1e-5 * (1 + Math.abs(m[j]!));
              const tolV = 5 * seVar + 1e-4 * (1 + v[j]!);
              if (!(Math.abs(mh - m[j]!) <= tolM)) throw new Error(`${name}(${JSON.stringify(a)}) mean[${j}]: sample ${mh} vs ${m[j]} (5 se = ${5 * seMean})`);
              // An infinite fourth moment leaves the sample variance without a standard error.
              if (mu4 === Infinity) continue;
              if (!(Math.abs(vh - v[j]!) <= tolV)) throw new Error(`${name}(${JSON.stringify(a)}) variance[${j}]: sample ${vh} vs ${v[j]} (5 se = ${5 * seVar})`);
            }
          }),
          { numRuns: 6, seed: SEED },
        );
      });
    }

    it(row.noEntropy ? "entropy() says it has no closed form; entropyEstimate works" : "entropy() agrees with a Monte Carlo estimate", () => {
      fc.assert(
        fc.property(argsOf(row), (a) => {
          const d = build(row, a);
          const est = d.entropyEstimate(20_000, 5);
          const e = flat(est.estimate);
          const se = flat(est.standardError);
          tf.dispose([est.estimate, est.standardError]);
          if (row.noEntropy) {
            expect(() => d.entropy()).toThrow(NoClosedFormError);
            expect(e.every(Number.isFinite)).toBe(true);
          } else {
            const h = flat(d.entropy());
            h.forEach((hv, i) => {
              if (!(Math.abs(hv - e[i]!) <= 5 * se[i]! + 2e-4 * (1 + Math.abs(hv)))) throw new Error(`${name}(${JSON.stringify(a)}) entropy ${hv} vs MC ${e[i]} ± ${se[i]}`);
            });
          }
          d.dispose();
        }),
        { numRuns: 5, seed: SEED },
      );
    });

    const continuousParams = def.params.filter((p) => !p.integer);
    if (continuousParams.length > 0) {
      it("gradients of logProb match central differences of the closed form", () => {
        fc.assert(
          fc.property(argsOf(row), fc.integer({ min: 0, max: 1e6 }), (a, s) => {
            const d0 = build(row, a);
            const xs = drawValues(d0, 4, s);
            d0.dispose();
            const names = continuousParams.map((p) => p.name);
            const vars = names.map((nm) => tf.tensor(a[nm] as number[]));
            const grads = tf.grads((...ps: tf.Tensor[]) => {
              const named: Record<string, tf.Tensor | number> = { ...(a as Record<string, number>) };
              names.forEach((nm, i) => (named[nm] = ps[i]!));
              const d = row.factory.create(named as never, { validate: false });
              return tf.sum(d.logProb(tf.tensor(xs as number[])));
            })(vars);
            const f = (b: Args) => xs.reduce((p: number, x) => p + row.logProb(b, x), 0);
            names.forEach((nm, i) => {
              const g = flat(grads[i]!);
              const v0 = a[nm]!;
              const flatV = (Array.isArray(v0) ? (v0 as number[] | number[][]).flat() : [v0]) as number[];
              flatV.forEach((val, j) => {
                // Skip entries structurally fixed at 0 (above the Cholesky diagonal).
                if (def.params.find((p) => p.name === nm)!.constraint.kind === "lower_cholesky") {
                  const dd = (v0 as number[][]).length;
                  if (j % dd > Math.floor(j / dd)) return;
                }
                const h = 1e-6 * Math.max(1, Math.abs(val));
                const at = (delta: number) => {
                  const fv = [...flatV];
                  fv[j] = val + delta;
                  const nv = Array.isArray(v0) ? (Array.isArray(v0[0]) ? chunk(fv, (v0 as number[][])[0]!.length) : fv) : fv[0]!;
                  return f({ ...a, [nm]: nv });
                };
                const fd = (at(h) - at(-h)) / (2 * h);
                if (!(Math.abs(g[j]! - fd) <= 2e-3 * (1 + Math.abs(fd)))) throw new Error(`${name}(${JSON.stringify(a)}) d/d${nm}[${j}]: ${g[j]} vs ${fd} at ${JSON.stringify(xs)}`);
              });
            });
            tf.dispose([...vars, ...grads]);
          }),
          { numRuns: 15, seed: SEED },
        );
      });
    }

    if (def.reparameterizable) {
      it("rsample is differentiable in every parameter, with finite gradients", () => {
        fc.assert(
          fc.property(argsOf(row), (a) => {
            const names = continuousParams.map((p) => p.name);
            const vars = names.map((nm) => tf.tensor(a[nm] as number[]));
            const grads = tf.grads((...ps: tf.Tensor[]) => {
              const named: Record<string, tf.Tensor> = {};
              names.forEach((nm, i) => (named[nm] = ps[i]!));
              return tf.sum(row.factory.create(named as never, { validate: false }).rsample([64], 3));
            })(vars);
            for (const g of grads) {
              const v = flat(g);
              expect(v.every(Number.isFinite)).toBe(true);
              expect(v.some((x) => x !== 0)).toBe(true);
            }
            tf.dispose([...vars, ...grads]);
          }),
          { numRuns: 10, seed: SEED },
        );
      });
    } else {
      it("rsample refuses (not reparameterisable)", () => {
        fc.assert(
          fc.property(argsOf(row), (a) => {
            const d = build(row, a);
            expect(() => d.rsample([2], 1)).toThrow(/no reparameterised sampler/);
            d.dispose();
          }),
          { numRuns: 2, seed: SEED },
        );
      });
    }

    if (def.expfam) {
      it("exponential-family form: log p = <eta, T(x)> - A + log h, and E[T] matches draws", () => {
        fc.assert(
          fc.property(argsOf(row), fc.integer({ min: 0, max: 1e6 }), (a, s) => {
            const d = build(row, a);
            const ef = d.expfam!;
            expect(ef).toBeDefined();
            const n = 4000;
            const x = d.sample([n], s);
            const lp = flat(d.logProb(x));
            const eta = ef.naturalParams();
            const T = ef.sufficientStats(x);
            const A = ef.logNormalizer();
            const h = ef.logBaseMeasure(x);
            const ET = ef.expectedSufficientStats();
            const recon = tf.tidy(() => {
              let acc: tf.Tensor = tf.sub(h, A);
              eta.forEach((e, i) => {
                const r = ef.statRanks[i]!;
                const prod = tf.mul(e, T[i]!);
                acc = tf.add(acc, r === 0 ? prod : tf.sum(prod, r === 1 ? [-1] : [-2, -1]));
              });
              return acc;
            });
            const rv = flat(recon);
            lp.forEach((l, i) => {
              if (!(Math.abs(rv[i]! - l) <= 1e-3 * (1 + Math.abs(l)))) throw new Error(`${name}(${JSON.stringify(a)}) expfam at draw ${i}: ${rv[i]} vs ${l}`);
            });
            // E[T] against the Monte Carlo mean of T over the draws (5 standard errors).
            T.forEach((t, i) => {
              const mean = tf.tidy(() => tf.mean(t, 0));
              const sd = tf.tidy(() => tf.sqrt(tf.moments(t, 0).variance));
              const m = flat(mean);
              const se = flat(sd).map((v) => v / Math.sqrt(n));
              const et = flat(ET[i]!);
              et.forEach((v, j) => {
                if (!(Math.abs(v - m[j]!) <= 5 * se[j]! + 1e-4 * (1 + Math.abs(v)))) throw new Error(`${name}(${JSON.stringify(a)}) E[T${i}][${j}] ${v} vs MC ${m[j]} ± ${se[j]}`);
              });
              tf.dispose([mean, sd]);
            });
            tf.dispose([x, ...eta, ...T, A, h, ...ET, recon]);
            d.dispose();
          }),
          { numRuns: 8, seed: SEED },
        );
      });
    } else {
      it("has no exponential-family form", () => {
        fc.assert(
          fc.property(argsOf(row), (a) => {
            const d = build(row, a);
            expect(d.expfam).toBeUndefined();
            d.dispose();
          }),
          { numRuns: 1, seed: SEED },
        );
      });
    }

    it("bad arguments give an error that names the argument and the distribution", () => {
      const good = fc.sample(argsOf(row), { numRuns: 1, seed: SEED })[0]!;
      for (const p of def.params) {
        const bad = badValue(p.constraint.kind, good[p.name]!);
        let err: unknown;
        try {
          row.factory.create({ ...good, [p.name]: bad } as never);
        } catch (e) {
          err = e;
        }
        expect(err, `${name}.${p.name} = ${JSON.stringify(bad)}`).toBeInstanceOf(DistributionArgumentError);
        const e = err as DistributionArgumentError;
        expect(e.distribution).toBe(name);
        expect(e.argument).toBe(p.name);
        expect(e.message).toMatch(new RegExp(`^argument '${p.name}' of ${name} must be`));
      }
      // Wrong arity and non-numeric arguments.
      expect(() => (row.factory as unknown as (...a: unknown[]) => unknown)()).toThrow(new RegExp(`${name} takes`));
      expect(() => row.factory.create({ ...good, [def.params[0]!.name]: "x" } as never)).toThrow(DistributionArgumentError);
    });

    it("leaks no tensors", () => {
      const a = fc.sample(argsOf(row), { numRuns: 1, seed: SEED + 1 })[0]!;
      const before = tf.memory().numTensors;
      const d = build(row, a);
      const x = d.sample([5], 1);
      const during = tf.memory().numTensors;
      const calls: (() => tf.Tensor | tf.Tensor[] | { estimate: tf.Tensor; standardError: tf.Tensor })[] = [
        () => d.logProb(x),
        () => d.sample([7], 2),
        () => d.mean(),
        () => d.variance(),
        () => d.entropyEstimate(10, 3),
      ];
      if (!row.noEntropy) calls.push(() => d.entropy());
      if (def.reparameterizable) calls.push(() => d.rsample([3], 4));
      if (d.expfam) {
        const ef = d.expfam;
        calls.push(() => ef.naturalParams(), () => ef.sufficientStats(x), () => ef.logNormalizer(), () => ef.expectedSufficientStats(), () => ef.logBaseMeasure(x));
      }
      for (const c of calls) {
        const out = c();
        tf.dispose(out instanceof tf.Tensor ? out : Array.isArray(out) ? out : [out.estimate, out.standardError]);
        expect(tf.memory().numTensors).toBe(during);
      }
      x.dispose();
      d.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

function chunk(v: number[], n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < v.length; i += n) out.push(v.slice(i, i + n));
  return out;
}

/** A value outside a constraint, shaped like `good`. */
function badValue(kind: string, good: unknown): unknown {
  switch (kind) {
    case "real":
      return Array.isArray(good) ? good.map((_, i) => (i === 0 ? NaN : 0)) : NaN;
    case "positive":
      return Array.isArray(good) ? good.map((v: number, i) => (i === 1 ? -1 : v)) : -1;
    case "unit_interval":
      return 1.5;
    case "simplex":
      return (good as number[]).map((v, i) => (i === 0 ? v + 0.3 : v));
    case "lower_cholesky":
      return (good as number[][]).map((r, i) => r.map((v, j) => (i === 0 && j === 1 ? 0.5 : v)));
    case "integer":
      return 2.5;
    default:
      throw new Error(kind);
  }
}

function sumMass(d: Distribution, values: X[]): number {
  const lp = logProbAt(d, values);
  return lp.reduce((s, l) => s + Math.exp(l), 0);
}

/**
 * The trapezoid rule on a grid in R^(K-1), mapped onto the simplex by stick-breaking logits:
 * x_i = r_i s(u_i), r_(i+1) = r_i s(-u_i) with s the logistic function, so the Jacobian is
 * prod r_i s(u_i) s(-u_i). With concentrations >= 1/2 the integrand decays like e^(-|u|/2), so
 * |u| <= 40 leaves < 1e-8 out, and it is analytic in a strip, where the trapezoid rule converges
 * geometrically (step 0.2 resolves peaks as narrow as concentrations ~50).
 */
function integrateSimplex(d: Distribution, k: number): number {
  const lim = 40;
  const h = 0.2;
  const m = Math.round((2 * lim) / h) + 1;
  const dims = k - 1;
  const count = m ** dims;
  const xs: number[][] = [];
  const jac: number[] = [];
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  for (let c = 0; c < count; c++) {
    let rest = 1;
    let jc = 1;
    const x: number[] = [];
    for (let i = 0, q = c; i < dims; i++, q = Math.floor(q / m)) {
      const u = -lim + (q % m) * h;
      const sp = sig(u);
      const sm = sig(-u);
      x.push(rest * sp);
      jc *= rest * sp * sm;
      rest *= sm;
    }
    x.push(rest);
    xs.push(x);
    jac.push(jc);
  }
  const lp = logProbAt(d, xs);
  let s = 0;
  lp.forEach((l, i) => {
    const f = Math.exp(l) * jac[i]!;
    if (Number.isFinite(f)) s += f;
  });
  return s * h ** dims;
}

/** The trapezoid rule on a 2-D grid over +-8 marginal standard deviations (Gaussian-like tails). */
function integrateGrid(d: Distribution, center: [number, number], sd: [number, number]): number {
  const m = 321;
  const hs = sd.map((v) => (16 * v) / (m - 1));
  const xs: number[][] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) xs.push([center[0] - 8 * sd[0] + i * hs[0]!, center[1] - 8 * sd[1] + j * hs[1]!]);
  const lp = logProbAt(d, xs);
  return lp.reduce((s, l) => s + Math.exp(l), 0) * hs[0]! * hs[1]!;
}

/** Simpson's rule over a transformed variable, density values from the float32 logProb. */
function integrate(d: Distribution, q: Quadrature): number {
  if (q.kind === "simplex") return integrateSimplex(d, q.k);
  if (q.kind === "grid2d") return integrateGrid(d, q.center, q.sd);
  const n = 4000;
  const ts: number[] = [];
  const xs: number[] = [];
  const jac: number[] = [];
  for (let i = 0; i <= n; i++) {
    if (q.kind === "interval") {
      const x = q.lo + ((q.hi - q.lo) * i) / n;
      ts.push(x);
      xs.push(x);
      jac.push(1);
      continue;
    }
    // t in (-1, 1): u = center + width sign(t) ((1 - |t|)^-4 - 1) / 4, du/dt = width (1 - |t|)^-5:
    // polynomial tails, so even Student's t with df 1/2 has an integrand that vanishes at t = +-1.
    const t = -1 + (2 * i) / n;
    ts.push(t);
    if (i === 0 || i === n) {
      xs.push(q.kind === "unit" ? 0.5 : q.kind === "positive" ? 1 : 0);
      jac.push(0);
      continue;
    }
    const r = 1 - Math.abs(t);
    const u = q.center + (q.width * Math.sign(t) * (r ** -4 - 1)) / 4;
    const du = q.width * r ** -5;
    if (q.kind === "real") {
      xs.push(u);
      jac.push(du);
    } else if (q.kind === "positive") {
      const x = Math.exp(u);
      xs.push(x);
      jac.push(x * du);
    } else {
      const x = 1 / (1 + Math.exp(-u));
      xs.push(x);
      jac.push(x * (1 - x) * du);
    }
  }
  const lp = logProbAt(d, xs);
  const h = (ts[n]! - ts[0]!) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const f = jac[i] === 0 || !Number.isFinite(jac[i]!) ? 0 : Math.exp(lp[i]!) * jac[i]!;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * (Number.isFinite(f) ? f : 0);
  }
  return (s * h) / 3;
}

void isVectorEvent;
