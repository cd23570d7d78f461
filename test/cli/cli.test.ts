/** The `vippl` command, driven in process (and once as a real process). */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";

async function vippl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

const STACK = /\n\s+at .*:\d+:\d+/;
const tmp = mkdtempSync(join(tmpdir(), "vippl-cli-"));

describe("vippl check", () => {
  it("passes a clean example and checks the data beside it", async () => {
    const r = await vippl("check", "examples/eight_schools.ppl");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("examples/eight_schools.ppl: ok");
    expect(r.out).toContain("data examples/eight_schools.data.json checked");
  });

  it("checks several files and fails when one has errors", async () => {
    const bad = join(tmp, "bad.ppl");
    writeFileSync(bad, "model M {\n  latent p: real\n  p ~ Beta(1, 1)\n}\n");
    const r = await vippl("check", "examples/coin.ppl", bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain("examples/coin.ppl: ok");
    expect(r.out).toContain(`${bad}: failed`);
    expect(r.err).toMatch(/error\[PPL2\d{3}\]/);
    expect(r.err).toContain(`${bad}:3:`);
    expect(r.err).toContain("real<lower=0, upper=1>");
    expect(r.err).not.toMatch(STACK);
  });

  it("reports data that does not match the declarations", async () => {
    const data = join(tmp, "es.json");
    writeFileSync(data, JSON.stringify({ J: 8, y: [1, 2, 3], sigma: [1, 1, 1, 1, 1, 1, 1, 1] }));
    const r = await vippl("check", "examples/eight_schools.ppl", "--data", data);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[PPL3\d{3}\]/);
    expect(r.err).toContain("y");
    expect(r.err).toContain("J");
  });

  it("skips the data with --no-data", async () => {
    const r = await vippl("check", "examples/eight_schools.ppl", "--no-data");
    expect(r.code).toBe(0);
    expect(r.out).toContain("no data file");
  });

  it("says so when the file does not exist", async () => {
    const r = await vippl("check", "nowhere/missing.ppl");
    expect(r.code).toBe(1);
    expect(r.err).toContain("PPL4001");
    expect(r.err).toContain("nowhere/missing.ppl");
  });

  it("reports an unknown option as a diagnostic with exit status 2", async () => {
    const r = await vippl("check", "examples/coin.ppl", "--colour");
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[PPL4002]");
    expect(r.err).toContain("--colour");
    expect(r.err).not.toMatch(STACK);
  });

  it("reports an unknown command with a suggestion", async () => {
    const r = await vippl("chek", "examples/coin.ppl");
    expect(r.code).toBe(2);
    expect(r.err).toContain("PPL4002");
    expect(r.err).toContain("check");
  });

  it("rejects a malformed --arg", async () => {
    const r = await vippl("check", "examples/eight_schools.ppl", "--arg", "scale");
    expect(r.code).toBe(2);
    expect(r.err).toContain("name=value");
  });

  it("passes compile-time arguments", async () => {
    const r = await vippl("graph", "examples/eight_schools.ppl", "--arg", "scale=2.5", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model).toBe("EightSchools");
  });
});

describe("vippl graph", () => {
  it("prints the text form with plates and sizes from the data", async () => {
    const r = await vippl("graph", "examples/eight_schools.ppl");
    expect(r.code).toBe(0);
    for (const name of ["mu", "tau", "eta", "theta", "y", "sigma"]) expect(r.out).toContain(name);
    expect(r.out).toMatch(/J\D+8/);
  });

  it("prints DOT", async () => {
    const r = await vippl("graph", "examples/gmm.ppl", "--dot");
    expect(r.code).toBe(0);
    expect(r.out.trimStart().startsWith("digraph")).toBe(true);
    expect(r.out).toContain("cluster");
    expect((r.out.match(/{/g) ?? []).length).toBe((r.out.match(/}/g) ?? []).length);
  });

  it("prints JSON with nodes, plates and edges", async () => {
    const r = await vippl("graph", "examples/linreg.ppl", "--json");
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out);
    expect(g.nodes.map((n: { name: string }) => n.name)).toEqual(expect.arrayContaining(["w", "b", "y", "X"]));
    expect(g.edges.length).toBeGreaterThan(0);
    expect(Array.isArray(g.plates)).toBe(true);
  });

  it("says which method auto picks and why: cavi, advi or bbvi by the model's latents", async () => {
    const coin = await vippl("graph", "examples/coin.ppl");
    expect(coin.out).toMatch(/method\n  auto: cavi: every latent is conjugate/);
    const eight = await vippl("graph", "examples/eight_schools.ppl");
    expect(eight.out).toMatch(/auto: advi: every latent is continuous/);
    const gmm = await vippl("graph", "examples/gmm.ppl", "--json");
    expect(JSON.parse(gmm.out).method).toMatchObject({ name: "bbvi" });
    expect(JSON.parse(gmm.out).method.reason).toContain("'z' is discrete");
  });

  it("refuses --dot with --json", async () => {
    const r = await vippl("graph", "examples/coin.ppl", "--dot", "--json");
    expect(r.code).toBe(2);
  });

  it("prints every example", async () => {
    for (const name of ["coin", "normal_gamma", "linreg", "logreg", "eight_schools", "gmm", "vae", "cvae", "bnn"]) {
      const r = await vippl("graph", `examples/${name}.ppl`);
      expect(r.code, `${name}: ${r.err}`).toBe(0);
    }
  });
});

describe("the vippl binary", () => {
  it("runs as a process and exits 1 without a stack trace on a bad model", () => {
    const bad = join(tmp, "typo.ppl");
    writeFileSync(bad, "model M {\n  latent mu: real\n  mu ~ Normall(0, 1)\n}\n");
    const r = spawnSync(process.execPath, ["--import", "tsx", "cli/vippl.ts", "check", bad], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Normal");
    expect(r.stderr).not.toMatch(STACK);
    const ok = execFileSync(process.execPath, ["--import", "tsx", "cli/vippl.ts", "--version"], { encoding: "utf8" });
    expect(ok.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
