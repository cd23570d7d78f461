/**
 * Information theory with vippl: the numbers of the tutorial this project grew from, plus a KL
 * divergence and a mutual information. Run with `npx tsx examples/information.ts`.
 */
import * as tf from "@tensorflow/tfjs";
import {
  Bernoulli,
  Categorical,
  MultivariateNormal,
  Normal,
  StudentT,
  conditionalEntropy,
  entropy,
  initBackend,
  klDivergence,
  mutualInformation,
} from "../stdlib/index.js";

await initBackend();

const rows: Array<[string, string, string]> = [];
const fmt = (v: number) => v.toFixed(3);
const add = (what: string, value: string, how: string) => rows.push([what, value, how]);

// Entropy of a discrete table: a plain number.
add("H(fair coin)", `${fmt(entropy([0.5, 0.5], { base: "bits" }))} bits`, "table");
add("H(coin with P(heads) = 0.9)", `${fmt(entropy([0.9, 0.1], { base: "bits" }))} bits`, "table");
add("H(fair die)", `${fmt(entropy(Array(6).fill(1 / 6), { base: "bits" }))} bits`, "table");

// The same from distributions: an estimate that says how it was obtained.
tf.tidy(() => {
  const coin = entropy(Bernoulli(0.9), { base: "bits" });
  add("H(Bernoulli(0.9))", `${fmt(coin.value.dataSync()[0]!)} ${coin.unit}`, coin.method);
  const die = entropy(Categorical(Array(6).fill(1 / 6)), { base: "bits" });
  add("H(Categorical(uniform 6))", `${fmt(die.value.dataSync()[0]!)} ${die.unit}`, die.method);
});

// KL divergence: closed form where registered, Monte Carlo (with its standard error) otherwise.
add("KL(fair coin || 0.9 coin)", `${fmt(klDivergence([0.5, 0.5], [0.9, 0.1], { base: "bits" }))} bits`, "table");
tf.tidy(() => {
  const p = Normal(0, 1);
  const q = Normal(1, 2);
  const a = klDivergence(p, q);
  add("KL(Normal(0, 1) || Normal(1, 2))", `${fmt(a.value.dataSync()[0]!)} ${a.unit}`, a.method);
  const m = klDivergence(p, q, { method: "monte-carlo", samples: 20_000, seed: 1 });
  add("  the same by Monte Carlo", `${fmt(m.value.dataSync()[0]!)} ± ${fmt(m.standardError!.dataSync()[0]!)} ${m.unit}`, `${m.method}, ${m.samples} draws`);
  const t = klDivergence(StudentT(10, 0, 1), Normal(0, 1), { samples: 20_000, seed: 2 });
  add("KL(StudentT(10, 0, 1) || Normal(0, 1))", `${fmt(t.value.dataSync()[0]!)} ± ${fmt(t.standardError!.dataSync()[0]!)} ${t.unit}`, `${t.method}, ${t.samples} draws`);
});

// Mutual information of a joint table: rain (rows) and carrying an umbrella (columns).
const rainUmbrella = [
  [0.25, 0.05],
  [0.1, 0.6],
];
add("I(rain; umbrella)", `${fmt(mutualInformation(rainUmbrella, { base: "bits" }))} bits`, "table");
add("H(rain | umbrella)", `${fmt(conditionalEntropy(rainUmbrella, { given: 1, base: "bits" }))} bits`, "table");

// Mutual information of two Gaussians with correlation 0.8: -1/2 log2(1 - 0.64).
tf.tidy(() => {
  const mvn = MultivariateNormal([0, 0], [[1, 0], [0.8, 0.6]]);
  const i = mutualInformation(mvn, { base: "bits" });
  add("I(X; Y), Gaussians with rho = 0.8", `${fmt(i.value.dataSync()[0]!)} ${i.unit}`, i.method);
});

const header: [string, string, string] = ["quantity", "value", "method"];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: readonly string[]) => r.map((s, c) => s.padEnd(widths[c]!)).join("  ").trimEnd();
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
