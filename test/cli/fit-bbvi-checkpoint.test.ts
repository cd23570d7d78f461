/** `vippl fit --checkpoint F` then `--resume F` on a model fitted by black-box VI: the resumed run prints the uninterrupted run's answer. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { DATA, TINY } from "../inference/bbvi-models.js";

async function vippl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

describe("vippl fit --checkpoint / --resume with method bbvi", () => {
  it("resumes a bbvi fit from its checkpoint file to the same answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vippl-bbvi-ck-"));
    const model = join(dir, "tiny.ppl");
    writeFileSync(model, TINY);
    writeFileSync(join(dir, "tiny.data.json"), JSON.stringify(DATA));
    const ck = join(dir, "ck.json");
    const args = ["fit", model, "--method", "bbvi", "--seed", "2", "--steps", "1200", "--json", "--quiet"];
    const full = await vippl(...args, "--checkpoint", ck);
    expect(full.code, full.err).toBe(0);
    expect(existsSync(ck)).toBe(true);
    const saved = JSON.parse(readFileSync(ck, "utf8")) as { method: string; step: number };
    expect(saved.method).toBe("bbvi");
    expect(saved.step % 500).toBe(0);
    const resumed = await vippl(...args, "--resume", ck);
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out)).toEqual(JSON.parse(full.out));
  }, 60000);
});
