// Builds the seeded, simulated data files of the conjugate examples (CAVI): linreg_gamma,
// poisson_groups, gmm_conjugate and lda. Run once by a developer: `node scripts/make-cavi-example-data.mjs`.
// Keys starting with "_" are simulation truth or labels, not data (the data checks skip them).
import { writeFileSync } from "node:fs";

const write = (name, obj) => writeFileSync(`examples/${name}.data.json`, JSON.stringify(obj) + "\n");
const round = (x, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

// mulberry32: a small seeded generator, so the files are reproducible.
function rng(seed) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const gamma = (k) => {
    // Marsaglia-Tsang (k >= 1), boosted for k < 1.
    if (k < 1) return gamma(k + 1) * Math.pow(u(), 1 / k);
    const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal(), v = (1 + c * x) ** 3;
      if (v > 0 && Math.log(u()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const poisson = (l) => { let k = 0, p = Math.exp(-l), s = p; const x = u(); while (x > s) { k++; p *= l / k; s += p; } return k; };
  const categorical = (p) => { let x = u(); for (let i = 0; i < p.length - 1; i++) { x -= p[i]; if (x < 0) return i; } return p.length - 1; };
  const dirichlet = (a) => { const g = a.map(gamma); const s = g.reduce((x, y) => x + y); return g.map((x) => x / s); };
  return { u, normal, gamma, poisson, categorical, dirichlet };
}

{
  // Linear regression with unknown noise precision: y = X w + b + e, e ~ N(0, 0.7^2).
  const r = rng(11), N = 200, D = 3, w = [1.5, -2, 0.5], b = 0.8;
  const X = [], y = [];
  for (let i = 0; i < N; i++) {
    const x = Array.from({ length: D }, () => round(r.normal(), 4));
    X.push(x);
    y.push(round(x.reduce((s, v, j) => s + v * w[j], b) + 0.7 * r.normal(), 4));
  }
  write("linreg_gamma", { N, D, X, y, _w: w, _b: b, _sigma: 0.7 });
}
{
  // Counts per group (say, accidents per site per year), rates Gamma(2, 0.5) a priori.
  const r = rng(12), G = 8, N = 120;
  const rates = Array.from({ length: G }, () => round(r.gamma(2) / 0.5, 3));
  const group = Array.from({ length: N }, (_, i) => i % G);
  const y = group.map((g) => r.poisson(rates[g]));
  write("poisson_groups", { N, G, group, y, _rates: rates });
}
{
  // A 2-D mixture of three well-separated Gaussians with diagonal covariances.
  const r = rng(13), N = 300, K = 3, D = 2;
  const centers = [[-4, -2], [0, 3], [4, -1]], sds = [[0.8, 0.5], [0.6, 1.0], [1.0, 0.7]], weights = [0.3, 0.45, 0.25];
  const x = [], z = [];
  for (let i = 0; i < N; i++) {
    const k = r.categorical(weights);
    z.push(k);
    x.push(centers[k].map((c, d) => round(c + sds[k][d] * r.normal(), 4)));
  }
  write("gmm_conjugate", { N, K, D, x, _z: z, _centers: centers, _sds: sds, _weights: weights });
}
{
  // LDA on a small corpus of 40 short "documents" over a 15-word vocabulary with three topics.
  const vocab = ["goal", "match", "team", "score", "coach", "oven", "flour", "butter", "bake", "sugar", "orbit", "rocket", "planet", "launch", "moon"];
  const r = rng(14), K = 3, V = vocab.length, D = 40, len = 25;
  const phi = [0, 1, 2].map((k) => vocab.map((_, v) => (Math.floor(v / 5) === k ? 0.18 : 0.005)));
  for (const row of phi) { const s = row.reduce((a, b) => a + b); row.forEach((x, i) => (row[i] = x / s)); }
  const doc = [], w = [];
  for (let d = 0; d < D; d++) {
    const theta = r.dirichlet([0.3, 0.3, 0.3]);
    for (let n = 0; n < len; n++) {
      doc.push(d);
      w.push(r.categorical(phi[r.categorical(theta)]));
    }
  }
  write("lda", { K, V, D, N: doc.length, doc, w, _vocab: vocab });
}
