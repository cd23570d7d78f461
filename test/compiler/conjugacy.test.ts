/** The conjugacy analysis: which latents CAVI can update in closed form, and why not. */
import { describe, expect, it } from "vitest";
import { formatGraphJson, formatGraphText } from "../../compiler/index.js";
import { compileExample, compileText, ok } from "./helpers.js";

const conj = (text: string) => ok(compileText(text)).graph.analyses.conjugacy;
const model = (body: string) => `model M {\n${body}\n}`;
const verdicts = (c: ReturnType<typeof conj>) => Object.fromEntries([...c.latents.values()].map((l) => [l.node, l.conjugate ? `yes ${l.family}` : `no: ${l.breaking!.reason}`]));

describe("conjugacy analysis", () => {
  it("finds the conjugate examples conjugate, with their families", () => {
    const cases: Record<string, Record<string, string>> = {
      coin: { p: "yes Beta" },
      normal_gamma: { mu: "yes Normal", tau: "yes Gamma" },
      linreg: { w: "yes Normal", b: "yes Normal" },
      linreg_gamma: { w: "yes Normal", b: "yes Normal", tau: "yes Gamma" },
      poisson_groups: { rate: "yes Gamma" },
      gmm_conjugate: { weights: "yes Dirichlet", mu: "yes Normal", tau: "yes Gamma", z: "yes Categorical" },
      lda: { theta: "yes Dirichlet", phi: "yes Dirichlet", z: "yes Categorical" },
    };
    for (const [name, want] of Object.entries(cases)) {
      const c = compileExample(name).graph.analyses.conjugacy;
      expect(verdicts(c), name).toEqual(want);
      expect(c.allConjugate, name).toBe(true);
    }
  });

  it("groups Normal latents that share a linear predictor into one Gaussian block", () => {
    expect(compileExample("linreg_gamma").graph.analyses.conjugacy.blocks).toEqual([["w", "b"]]);
    expect(compileExample("normal_gamma").graph.analyses.conjugacy.blocks).toEqual([["mu"]]);
  });

  it("records argument forms: a selector gather, a precision, a linear predictor", () => {
    const c = compileExample("gmm_conjugate").graph.analyses.conjugacy;
    const f = [...c.factors.values()].find((x) => x.target.node === "x")!;
    expect(f.selector).toBe("z");
    expect(f.args.map((a) => (a.kind === "use" ? `${a.kind}:${a.node}:${a.precision}:${a.selector}` : a.kind))).toEqual(["use:mu:false:z", "use:tau:true:z"]);
    const l = [...compileExample("linreg").graph.analyses.conjugacy.factors.values()].find((x) => x.target.node === "y")!;
    expect(l.args.map((a) => a.kind)).toEqual(["linear", "const"]);
  });

  it("accepts the precision spellings documented in docs/language.md", () => {
    for (const sd of ["1 / sqrt(tau)", "tau ^ -0.5", "pow(tau, -0.5)", "sqrt(1 / tau)"]) {
      const c = conj(model(`data N: int\ndata x: real[N]\nlatent tau: real<lower=0>\ntau ~ Gamma(1, 1)\nx ~ Normal(0, ${sd})`));
      expect(c.latents.get("tau")!.conjugate, sd).toBe(true);
    }
  });

  it("says a Gamma prior on a Normal's sd is not conjugate, and how to write it", () => {
    const c = conj(model("data N: int\ndata x: real[N]\nlatent s: real<lower=0>\ns ~ Gamma(1, 1)\nx ~ Normal(0, s)"));
    const s = c.latents.get("s")!;
    expect(s.conjugate).toBe(false);
    expect(s.breaking!.line).toBe(6);
    expect(s.breaking!.reason).toBe("s ~ Gamma(1, 1): Gamma is not conjugate to the Normal scale slot of x ~ Normal(0, s) (line 6) (a Gamma prior is conjugate to a Normal's precision: write the sd as `1 / sqrt(s)`)");
  });

  it("names the breaking factor of the non-conjugate mixture, the ordered means and the non-linear predictor", () => {
    const g = compileExample("gmm").graph.analyses.conjugacy;
    expect(g.allConjugate).toBe(false);
    expect(verdicts(g)).toEqual({
      weights: "yes Dirichlet",
      mu: "no: mu ~ Normal(0, 10) (line 14): 'mu' is declared ordered, which truncates the Normal prior; CAVI needs the prior's own support",
      sigma: "no: sigma ~ LogNormal(0, 1): LogNormal is not conjugate to the scale slot of x ~ Normal(mu[z], sigma[z]) (line 17); CAVI updates Beta, Gamma, Normal, Dirichlet and Categorical latents",
      z: "yes Categorical",
    });
    expect(g.latents.get("sigma")!.breaking!.factor).toBe("f4");
    const lr = compileExample("logreg").graph.analyses.conjugacy;
    expect(lr.allConjugate).toBe(false);
    expect(lr.latents.get("w")!.breaking!.reason).toContain("not conjugate to the Bernoulli");
  });

  it("rejects a discrete latent used as a value, for loops and free potentials", () => {
    const z = conj(model("data N: int\ndata x: real[N]\nlatent z: int<lower=0, upper=2>[N]\nz ~ Categorical(fill(1.0 / 3, 3))\nx ~ Normal(z, 1)"));
    expect(z.latents.get("z")!.conjugate).toBe(false);
    const loop = conj(model("data N: int\ndata x: real[N]\nlatent mu: real\nmu ~ Normal(0, 1)\nfor i in 0..N {\n  x[i] ~ Normal(mu, 1)\n}"));
    expect(loop.latents.get("mu")!.breaking!.reason).toContain("`for` loop");
    const pot = conj(model("latent mu: real\nmu ~ Normal(0, 1)\nfactor(-mu * mu)"));
    expect(pot.latents.get("mu")!.breaking!.reason).toContain("free potential");
  });

  it("vippl graph prints one conjugacy line per latent (text and JSON)", () => {
    // The conjugacy section: from its heading to the next blank line (other sections may follow).
    const section = (t: string) => t.slice(t.indexOf("conjugacy\n")).split("\n\n")[0] + "\n";
    const text = formatGraphText(compileExample("gmm").graph);
    expect(section(text)).toBe(
      [
        "conjugacy",
        "  weights  conjugate (Dirichlet)",
        "  mu       not conjugate: mu ~ Normal(0, 10) (line 14): 'mu' is declared ordered, which truncates the Normal prior; CAVI",
        "             needs the prior's own support",
        "  sigma    not conjugate: sigma ~ LogNormal(0, 1): LogNormal is not conjugate to the scale slot of x ~ Normal(mu[z],",
        "             sigma[z]) (line 17); CAVI updates Beta, Gamma, Normal, Dirichlet and Categorical latents",
        "  z        conjugate (Categorical)",
        "  not every latent is conjugate: CAVI does not apply",
        "",
      ].join("\n"),
    );
    const coin = formatGraphText(compileExample("coin").graph);
    expect(section(coin)).toBe("conjugacy\n  p  conjugate (Beta)\n  every latent is conjugate: CAVI updates them in closed form\n");
    const json = formatGraphJson(compileExample("gmm").graph);
    expect(json.allConjugate).toBe(false);
    expect(json.conjugacy["sigma"]).toMatchObject({ conjugate: false, family: "LogNormal", factor: "f4", line: 17 });
    expect(json.conjugacy["z"]).toEqual({ conjugate: true, family: "Categorical", factor: null, line: null, reason: null });
  });
});
