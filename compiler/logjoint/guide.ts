/**
 * The `guide { }` block at run time (types.ts GuideProgram): the model program runs the guide's
 * statements (program.ts runGuide), drawing each latent from standard-normal noise through its
 * distribution's reparameterised sampler, so every draw is differentiable in the guide's params
 * and networks. Built by buildLogJoint beside the log joint, sharing its data and minibatch.
 */
import * as tf from "@tensorflow/tfjs";
import { NoClosedFormError } from "../../stdlib/index.js";
import { printStatement, type Diagnostic, type SampleStmt, type TypedModel } from "../lang.js";
import type { GraphIR } from "../ir.js";
import { EvalError } from "./evaluator.js";
import { guideCannotDraw } from "./errors.js";
import type { ModelProgram } from "./program.js";
import type { FactorTerm, GuideProgram, GuideScoreMode, LatentLayout } from "./types.js";
import { broadcastIfNeeded } from "./value.js";

/** The latents the guide draws, in order, or a diagnostic for a guide the program cannot draw from. */
export function guideDrawOrder(graph: GraphIR, typed: TypedModel, layouts: readonly LatentLayout[]): { order: string[]; diagnostics: Diagnostic[] } {
  const body = typed.guide?.body ?? [];
  const order: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const drawn = new Set<string>();
  const whole = body.filter((s): s is SampleStmt => s.kind === "Sample" && s.target.kind === "Identifier");
  for (const s of whole) {
    const name = (s.target as { name: string }).name;
    if (!layouts.some((l) => l.name === name)) continue;
    if (drawn.has(name)) {
      diagnostics.push(guideCannotDraw(`latent '${name}' is drawn twice in the guide`, s.span, "give each latent one `~` statement in the guide"));
      continue;
    }
    drawn.add(name);
    order.push(name);
  }
  for (const l of layouts) {
    if (drawn.has(l.name)) continue;
    const stmts = typed.guideSamples.get(l.name) ?? [];
    const at = stmts[0]?.span ?? graph.guide?.span ?? graph.span;
    diagnostics.push(
      guideCannotDraw(
        stmts.length > 0 ? `the guide gives latent '${l.name}' its distribution piece by piece (inside a loop or by index), which the guide cannot draw yet` : `the guide does not draw latent '${l.name}'`,
        at,
        `draw the whole latent in one vectorised statement at the top of the guide, e.g. \`${l.name} ~ Normal(loc, scale)\` with arguments shaped like '${l.name}'`,
      ),
    );
  }
  return { order, diagnostics };
}

export interface GuideProgramParts {
  readonly graph: GraphIR;
  readonly program: ModelProgram;
  readonly order: readonly string[];
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly sharedParams: ReadonlyMap<string, tf.Variable>;
  /** A latent's shape now (batch-sized along a subsampled plate). */
  readonly shapeOf: (latent: string) => readonly number[];
}

export function makeGuideProgram(parts: GuideProgramParts): GuideProgram {
  const { graph, program, order, shapeOf } = parts;
  const guide = graph.guide!;
  const terms: FactorTerm[] = [...guide.factors.values()].map((f) => Object.freeze({ id: f.id, text: printStatement(f.stmt).trim(), span: f.span }));
  const sizeOf = (name: string): number => shapeOf(name).reduce((a, b) => a * b, 1);
  const total = (m: Map<string, tf.Tensor>, s: number): tf.Tensor => {
    let acc: tf.Tensor = tf.zeros([s]);
    for (const t of m.values()) acc = tf.add(acc, t);
    return broadcastIfNeeded(acc, [s]);
  };
  const gp: GuideProgram & { analyticEntropy: boolean } = {
    latents: order,
    params: parts.params,
    sharedParams: parts.sharedParams,
    analyticEntropy: true,
    terms,
    noiseSize: () => order.reduce((n, l) => n + sizeOf(l), 0),
    draw(noise: tf.Tensor, score: GuideScoreMode) {
      const s = noise.shape[0]!;
      const offsets = new Map<string, number>();
      let off = 0;
      for (const l of order) {
        offsets.set(l, off);
        off += sizeOf(l);
      }
      if (noise.rank !== 2 || noise.shape[1] !== off) throw new Error(`guide draw: the noise must have shape [S, ${off}], got [${noise.shape.join(", ")}]`);
      const out = tf.tidy(() => {
        const run = program.runGuide(s, new Map(), {
          noise: (latent, shape) => {
            const n = shape.reduce((a, b) => a * b, 1);
            return tf.reshape(tf.slice(noise, [0, offsets.get(latent)!], [s, n]), [s, ...shape]);
          },
          shapeOf,
          score,
          stop: false,
        });
        const values = order.map((l) => run.values.get(l)!);
        return [total(run.terms, s), ...values];
      });
      const values = new Map<string, tf.Tensor>();
      order.forEach((l, i) => values.set(l, out[i + 1]!));
      return { values, score: out[0]! };
    },
    logProb(values, options = {}) {
      const first = values.values().next().value as tf.Tensor | undefined;
      const s = first ? first.shape[0]! : 1;
      return tf.tidy(() => {
        const run = program.runGuide(s, values, { noise: null, shapeOf, score: "logq", stop: options.stopGradient ?? false });
        return total(run.terms, s);
      });
    },
  };
  return gp;
}

/**
 * Draws once at zero noise so a guide that cannot run is reported when the model is built, and
 * finds out whether every factor has a closed-form entropy. Null when it runs, else a diagnostic.
 */
export function trialGuide(gp: GuideProgram & { analyticEntropy: boolean }, graph: GraphIR): Diagnostic | null {
  const noise = tf.zeros([1, gp.noiseSize()]);
  try {
    try {
      tf.tidy(() => {
        const d = gp.draw(noise, "entropy");
        return [d.score, ...d.values.values()];
      }).forEach((t) => t.dispose());
    } catch (e) {
      if (!(e instanceof NoClosedFormError)) throw e;
      gp.analyticEntropy = false;
    }
    tf.tidy(() => {
      const d = gp.draw(noise, "logq");
      return [d.score, ...d.values.values()];
    }).forEach((t) => t.dispose());
    return null;
  } catch (e) {
    if (e instanceof EvalError) return guideCannotDraw(e.message, e.expr?.span ?? graph.guide?.span ?? graph.span);
    return guideCannotDraw(e instanceof Error ? e.message : String(e), graph.guide?.span ?? graph.span);
  } finally {
    noise.dispose();
  }
}
