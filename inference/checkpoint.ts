/**
 * Checkpoints shared by the step-based methods (ADVI, BBVI): reading a checkpoint given as data or
 * as a file path, writing one atomically, and the per-step hook that writes one every `every`
 * accepted steps. Each method owns its checkpoint's contents (advi.ts, bbvi/bbvi.ts).
 */
import { PplError } from "../language/index.js";
import { badSavedFit } from "./errors.js";
import { now } from "./method.js";
import type { ResolvedOptions } from "./options.js";

/** The header every vippl checkpoint starts with. */
export interface CheckpointHeader {
  readonly format: "vippl-checkpoint";
  readonly version: 1;
  readonly method: string;
}

/** A PPL4105 unless `c` is a version-1 vippl checkpoint written by `method`. */
export function checkCheckpointHeader(c: unknown, method: string, what: string): void {
  const h = c as Partial<CheckpointHeader> | null | undefined;
  if (!h || typeof h !== "object" || h.format !== "vippl-checkpoint" || h.version !== 1 || h.method !== method) {
    const other = h && typeof h === "object" && h.format === "vippl-checkpoint" && typeof h.method === "string" && h.method !== method ? ` (it was written by method '${h.method}')` : "";
    throw new PplError([badSavedFit(`this is not a vippl ${what} checkpoint (format 'vippl-checkpoint', version 1)${other}`)]);
  }
}

/** The `resume` option: checkpoint data as given, or read from the file it names. */
export async function readCheckpoint<T>(r: unknown): Promise<T> {
  if (typeof r === "string") {
    try {
      const fs = await import("node:fs/promises");
      return JSON.parse(await fs.readFile(r, "utf8")) as T;
    } catch (e) {
      throw new PplError([badSavedFit(`cannot read the checkpoint '${r}': ${(e as Error).message}`)]);
    }
  }
  return r as T;
}

/** Writes JSON atomically (a temporary file renamed over the target). */
export async function writeJson(path: string, data: unknown): Promise<void> {
  const fs = await import("node:fs/promises");
  const tmp = `${path}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(data));
  await fs.rename(tmp, path);
}

/** What the checkpoint hook reads and sets of a method's state. */
export interface CheckpointedState {
  readonly step: number;
  readonly done: boolean;
  seconds: number;
}

/**
 * The step loop's afterStep hook: every `checkpoint.every` accepted steps (not after the last)
 * records the elapsed time, makes the checkpoint, hands it to onCheckpoint and writes it to path.
 */
export function checkpointHook(o: ResolvedOptions, st: CheckpointedState, start: number, baseSeconds: number, make: () => unknown): () => Promise<void> {
  return async () => {
    if (!o.checkpoint || st.step % o.checkpoint.every !== 0 || st.done) return;
    st.seconds = baseSeconds + (now() - start) / 1000;
    const c = make();
    o.checkpoint.onCheckpoint?.(c);
    if (o.checkpoint.path) await writeJson(o.checkpoint.path, c);
  };
}
