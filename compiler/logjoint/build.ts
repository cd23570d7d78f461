/**
 * buildLogJoint: the graph IR plus bound data, turned into the log-density function every
 * backend shares (types.ts). Data tensors, data-only lets and transposed data are made once here
 * and freed by dispose(); each call runs in tf.tidy and returns tensors owned by the caller.
 */
import * as tf from "@tensorflow/tfjs";
import { bijectTo, constraintEventRank } from "../../stdlib/index.js";
import { internalError, printStatement, type DeclStmt, type Diagnostic, type PhaseResult, type TypedModel } from "../lang.js";
import type { BoundData } from "../data/index.js";
import { isRandom, type GraphIR, type IrFactor, type IrNode } from "../ir.js";
import type { AnalyticPrior, ElementAxis, FactorTerm, GuideProgram, LatentLayout, LogJoint, LogJointOptions } from "./types.js";
import { latentLayouts } from "./layout.js";
import { DataTensors } from "./data.js";
import { ConstantCache, EvalError } from "./evaluator.js";
import { freeVariableName, ParamNetwork } from "./networks.js";
import { PredictiveCollector } from "./predictive.js";
import { ModelProgram, type TensorParam } from "./program.js";
import { guideDrawOrder, makeGuideProgram, trialGuide } from "./guide.js";
import { broadcastIfNeeded } from "./value.js";
import { dataOutsideSupport, evaluationFailed, guideCannotDraw, unknownSize } from "./errors.js";

/** Options beyond the shared interface: the seed of network and param initialisation. */
export interface BuildLogJointOptions extends LogJointOptions {
  readonly seed?: number;
  /**
   * Check observed data against each fixed support once and skip the support masks after
   * (support-checks.ts). Default true; false keeps the per-evaluation checks (A/B measurements).
   */
  readonly trustCheckedData?: boolean;
}

/** The log joint with its minibatch switch (re-slices the data without rebuilding the params). */
export interface ModelLogJoint extends LogJoint {
  /** Subsample a plate from now on (null: the full data). */
  setMinibatch(minibatch: { readonly plate: string; readonly indices: Int32Array } | null): void;
  /** The `let`s deterministics() reports, by name. */
  readonly deterministicNames: readonly string[];
  /** Why the guide block cannot be used (then `guide` is null): errors to report when a fit asks for it. */
  readonly guideProblems: readonly Diagnostic[];
}

export function buildLogJoint(graph: GraphIR, typed: TypedModel, data: BoundData, options: BuildLogJointOptions = {}): PhaseResult<ModelLogJoint> {
  let layouts: LatentLayout[];
  try {
    layouts = latentLayouts(graph);
  } catch (err) {
    return { diagnostics: [unknownSize(err instanceof Error ? err.message : String(err), graph.span)] };
  }
  const owned: { dispose(): void }[] = [];
  try {
    const dataTensors = new DataTensors(graph, data);
    owned.push(dataTensors);
    const cache = new ConstantCache(options.trustCheckedData === false ? undefined : (t) => dataTensors.origin(t));
    owned.push(cache);
    const seed = options.seed ?? 0;
    const networks = new Map<string, ParamNetwork>();
    const tensorParams = new Map<string, TensorParam>();
    const params = new Map<string, tf.Variable>();
    let k = 0;
    for (const node of graph.nodes.values()) {
      if (node.inGuide) continue;
      if (node.kind === "network" && node.network && !node.network.stochastic) {
        const net = new ParamNetwork(node.name, node.network, seed * 7919 + ++k);
        owned.push(net);
        networks.set(node.name, net);
        for (const [name, v] of net.variables()) params.set(name, v);
      } else if (node.kind === "param") {
        const p = makeTensorParam(node);
        owned.push(p.variable);
        tensorParams.set(node.name, p);
        params.set(node.name, p.variable);
      }
    }
    // The guide block's own params and networks (declared inside it).
    const guideNetworks = new Map<string, ParamNetwork>();
    const guideTensorParams = new Map<string, TensorParam>();
    const guideParams = new Map<string, tf.Variable>();
    for (const node of graph.guide?.nodes.values() ?? []) {
      if (node.kind === "network" && node.network && !node.network.stochastic) {
        const net = new ParamNetwork(node.name, node.network, seed * 7919 + ++k);
        owned.push(net);
        guideNetworks.set(node.name, net);
        for (const [name, v] of net.variables()) guideParams.set(name, v);
      } else if (node.kind === "param") {
        const p = makeTensorParam(node);
        owned.push(p.variable);
        guideTensorParams.set(node.name, p);
        guideParams.set(node.name, p.variable);
      }
    }
    const program = new ModelProgram(graph, typed, dataTensors, networks, tensorParams, cache, guideNetworks, guideTensorParams);
    owned.push(program);
    const setMinibatch = (mb: { readonly plate: string; readonly indices: Int32Array } | null) => {
      dataTensors.setMinibatch(mb);
      cache.dropStale();
      if (mb) {
        const plate = graph.plates.get(mb.plate)!;
        program.minibatch = { plate: mb.plate, n: plate.concreteSize ?? mb.indices.length, b: mb.indices.length };
      } else program.minibatch = null;
      program.refresh();
    };
    setMinibatch(options.minibatch ?? null);
    // Under minibatching, local latents (an axis in the subsampled plate) are given for the batch only.
    const axisPlates = new Map([...graph.nodes.values()].filter((n) => !n.inGuide).map((n) => [n.name, n.axisPlates]));
    const expectedShape = (l: LatentLayout): readonly number[] => {
      const mb = program.minibatch;
      if (!mb) return l.shape;
      const plates = axisPlates.get(l.name) ?? [];
      return l.shape.map((n, i) => (plates[i] === mb.plate ? mb.b : n));
    };

    let guide: (GuideProgram & { analyticEntropy: boolean }) | null = null;
    const guideProblems: Diagnostic[] = [];
    if (graph.guide && typed.guide) {
      const continuous = layouts.filter((l) => !l.discrete);
      const { order, diagnostics } = guideDrawOrder(graph, typed, continuous);
      guideProblems.push(...diagnostics);
      for (const l of layouts.filter((x) => x.discrete)) guideProblems.push(guideCannotDraw(`latent '${l.name}' is discrete, and a guide draws by reparameterisation`, l.span));
      if (guideProblems.length === 0) {
        const shapeOf = (name: string) => expectedShape(layouts.find((l) => l.name === name)!);
        const shared = new Map<string, tf.Variable>();
        for (const id of graph.guide.params) {
          const node = graph.nodes.get(id);
          if (!node) continue;
          for (const v of networks.get(node.name)?.variables() ?? []) shared.set(v[0], v[1]);
          const p = tensorParams.get(node.name);
          if (p) shared.set(node.name, p.variable);
        }
        guide = makeGuideProgram({ graph, program, order, params: guideParams, sharedParams: shared, shapeOf }) as GuideProgram & { analyticEntropy: boolean };
      }
    }

    const terms: FactorTerm[] = [...graph.factors.values()].map((f) => Object.freeze({ id: f.id, text: printStatement(f.stmt).trim(), span: f.span }));
    const reported = reportedLets(graph, typed);
    // Found on first use: only fits with `kl: "analytic"` read them.
    let analyticPriors: AnalyticPrior[] | undefined;
    const lj: ModelLogJoint = {
      get analyticPriors() {
        return (analyticPriors ??= findAnalyticPriors(graph, program, layouts));
      },
      latents: layouts,
      unconstrainedSize: layouts.reduce((n, l) => n + l.unconstrainedSize, 0),
      terms,
      params,
      guide,
      guideProblems,
      networkWeights: new Set([...networks.values(), ...guideNetworks.values()].flatMap((n) => n.variables().map(([, v]) => v))),
      deterministicNames: reported.map((d) => d.name.name),
      logJoint(values) {
        const s = sampleCount(layouts, values, expectedShape);
        return tf.tidy(() => {
          const run = program.run(s, values, true);
          let acc: tf.Tensor | null = null;
          for (const t of run.terms.values()) acc = acc ? tf.add(acc, t) : t;
          return broadcastIfNeeded(acc ?? tf.zeros([s]), [s]);
        });
      },
      logJointTerms(values) {
        const s = sampleCount(layouts, values, expectedShape);
        return tf.tidy(() => {
          const run = program.run(s, values, true);
          return terms.map((t) => {
            const v = run.terms.get(t.id);
            return v ? broadcastIfNeeded(v, [s]) : tf.zeros([s]);
          });
        });
      },
      logJointTermsByElement(values) {
        const s = sampleCount(layouts, values, expectedShape);
        const axes: (readonly ElementAxis[] | null)[] = [];
        // The tidy returns tensors only; the axis labels are collected beside it.
        const ts = tf.tidy(() => {
          const run = program.runElements(s, values);
          return terms.map((t) => {
            const e = run.elements.get(t.id);
            if (e) {
              axes.push(e.axes);
              return e.t;
            }
            axes.push(null);
            const v = run.terms.get(t.id);
            return v ? broadcastIfNeeded(v, [s]) : tf.zeros([s]);
          });
        });
        return ts.map((t, i) => {
          const a = axes[i];
          if (a) return { t, axes: a };
          // A term with no element structure: one scalar per draw.
          return { t, axes: [] };
        });
      },
      predictive(values, rng) {
        const s = sampleCount(layouts, values, expectedShape);
        const collector = new PredictiveCollector(s, rng);
        const kept = tf.tidy(() => {
          program.runPredictive(s, values, collector);
          return [...collector.draws.values()];
        });
        return { draws: new Map([...collector.draws.keys()].map((k, i) => [k, kept[i]!])), skipped: collector.skipped };
      },
      deterministics(values) {
        const s = sampleCount(layouts, values, expectedShape);
        const out = tf.tidy(() => {
          const run = program.run(s, values, false);
          const res: Record<string, tf.Tensor> = {};
          for (const decl of reported) {
            const v = program.letValue(run.env, decl);
            if (!v) continue;
            const own = v.t.shape.slice(v.frame);
            const t = v.frame === 0 ? tf.reshape(v.t, [1, ...own]) : tf.reshape(v.t, [v.t.shape[0]!, ...own]);
            res[decl.name.name] = broadcastIfNeeded(tf.cast(t, "float32"), [s, ...own]);
          }
          return res;
        });
        return new Map(Object.entries(out));
      },
      setMinibatch,
      dispose() {
        for (const o of owned.reverse()) o.dispose();
        owned.length = 0;
      },
    };
    const trial = trialEvaluation(lj, graph);
    if (trial) {
      lj.dispose();
      return { diagnostics: [trial] };
    }
    // The trial evaluation checked every observed data variable against its fixed support.
    const outside = cache.supports.violations.map(({ owner, violation }) => dataOutsideSupport(owner as IrFactor, violation));
    if (outside.length > 0) {
      lj.dispose();
      return { diagnostics: outside };
    }
    if (guide) {
      // A guide that cannot run leaves the model fittable with the automatic guide.
      const problem = trialGuide(guide, graph);
      if (problem) {
        (lj as { guide: GuideProgram | null }).guide = null;
        guideProblems.push(problem);
      }
    }
    return { value: lj, diagnostics: [] };
  } catch (err) {
    for (const o of owned.reverse()) o.dispose();
    if (err instanceof EvalError) return { diagnostics: [evaluationFailed(err.message, err.expr?.span ?? graph.span)] };
    if (process.env.VIPPL_DEBUG) console.error(err);
    return { diagnostics: [internalError(err, graph.span)] };
  }
}

/** The Normal priors with constant arguments over whole unconstrained real latents (AnalyticPrior). */
function findAnalyticPriors(graph: GraphIR, program: ModelProgram, layouts: readonly LatentLayout[]): AnalyticPrior[] {
  const out: AnalyticPrior[] = [];
  for (const f of graph.factors.values()) {
    if (f.kind !== "sample" || f.distribution !== "Normal" || !f.target || f.targetExpr?.kind !== "Identifier") continue;
    const node = graph.nodes.get(f.target);
    if (!node || node.kind !== "latent" || node.discrete || node.constraint.kind !== "real") continue;
    const layout = layouts.find((l) => l.name === node.name);
    if (!layout || layout.unconstrainedSize !== layout.size) continue;
    const args = program.constantArgs(f.id);
    if (!args || args.length !== 2) continue;
    const loc = broadcastFlat(args[0]!, layout.shape);
    const scale = broadcastFlat(args[1]!, layout.shape);
    if (!loc || !scale || !loc.every(Number.isFinite) || !scale.every((x) => Number.isFinite(x) && x > 0)) continue;
    out.push(Object.freeze({ term: f.id, latent: node.name, family: "Normal" as const, offset: layout.offset, size: layout.size, loc, scale }));
  }
  return out;
}

/** A constant (flat, with its shape) broadcast right-aligned to `shape`, flattened; null when it does not broadcast. */
function broadcastFlat(v: { values: Float32Array; shape: number[] }, shape: readonly number[]): Float32Array | null {
  if (v.shape.length > shape.length) return null;
  const pad = shape.length - v.shape.length;
  if (v.shape.some((n, i) => n !== 1 && n !== shape[pad + i])) return null;
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let src = 0;
    for (let i = 0; i < v.shape.length; i++) src = src * v.shape[i]! + (v.shape[i] === 1 ? 0 : idx[pad + i]!);
    out[k] = v.values[src]!;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** A `param` tensor: an unconstrained variable (zeros: the constraint's centre) and its bijector. */
function makeTensorParam(node: IrNode): TensorParam {
  const shape = node.shape.concrete;
  if (!shape) throw new EvalError(`param '${node.name}' has a shape that is not known from the data`, null);
  const c = node.constraint;
  const e = constraintEventRank(c);
  const bijector = c.kind === "real" ? null : bijectTo(c);
  const ushape = e === 0 || !bijector ? [...shape] : [...shape.slice(0, shape.length - e), ...bijector.inverseEventShape(shape.slice(shape.length - e))];
  return { variable: tf.tidy(() => tf.variable(tf.zeros(ushape), true, freeVariableName(node.name))), bijector };
}

/** The number of Monte Carlo samples S, checking every latent's value shape. */
function sampleCount(layouts: readonly LatentLayout[], values: ReadonlyMap<string, tf.Tensor>, expected: (l: LatentLayout) => readonly number[]): number {
  let s: number | null = null;
  for (const l of layouts) {
    const t = values.get(l.name);
    if (!t) throw new Error(`logJoint: no value for latent '${l.name}'`);
    const shape = expected(l);
    const ok = t.rank === shape.length + 1 && shape.every((n, i) => t.shape[i + 1] === n);
    if (!ok) throw new Error(`logJoint: latent '${l.name}' must have shape [S, ${shape.join(", ")}], got [${t.shape.join(", ")}]`);
    if (s !== null && t.shape[0] !== s) throw new Error(`logJoint: latents disagree on the number of samples (${s} and ${t.shape[0]} for '${l.name}')`);
    s = t.shape[0]!;
  }
  return s ?? 1;
}

/** Top-level lets that depend on a latent (what deterministics() reports, as Stan's transformed parameters). */
function reportedLets(graph: GraphIR, typed: TypedModel): DeclStmt[] {
  const random = new Map<string, boolean>();
  const dependsOnRandom = (id: string, seen: Set<string>): boolean => {
    const known = random.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return false;
    seen.add(id);
    const n = graph.nodes.get(id);
    const r = !!n && (isRandom(n) || n.parents.some((p) => dependsOnRandom(p, seen)));
    random.set(id, r);
    return r;
  };
  const lets = typed.model.body.filter((s): s is DeclStmt => s.kind === "Decl" && s.role === "let");
  return lets.filter((d) => {
    const n = [...graph.nodes.values()].find((x) => x.kind === "deterministic" && !x.inGuide && x.name === d.name.name);
    return !!n && dependsOnRandom(n.id, new Set());
  });
}

/** Latent values at a default point: each continuous latent at its bijector's image of 0, discrete ones at 0. */
export function defaultLatentValues(layouts: readonly LatentLayout[], s = 1): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const l of layouts) {
    if (l.discrete) {
      out.set(l.name, tf.zeros([s, ...l.shape], "int32"));
      continue;
    }
    if (l.constraint.kind === "real") {
      out.set(l.name, tf.zeros([s, ...l.shape]));
      continue;
    }
    const e = constraintEventRank(l.constraint);
    const b = bijectTo(l.constraint);
    const ushape = e === 0 ? [s, ...l.shape] : [s, ...l.shape.slice(0, l.shape.length - e), ...b.inverseEventShape(l.shape.slice(l.shape.length - e))];
    out.set(
      l.name,
      tf.tidy(() => b.forward(tf.zeros(ushape))),
    );
  }
  return out;
}

/** Evaluates the log joint once at a default point, so a model that cannot run is reported at build time. */
function trialEvaluation(lj: LogJoint, graph: GraphIR): Diagnostic | null {
  const values = defaultLatentValues(lj.latents, 1);
  try {
    tf.tidy(() => {
      lj.logJoint(values);
    });
    return null;
  } catch (err) {
    if (err instanceof EvalError) return evaluationFailed(err.message, err.expr?.span ?? graph.span);
    if (process.env.VIPPL_DEBUG) console.error(err);
    return evaluationFailed(err instanceof Error ? err.message : String(err), graph.span);
  } finally {
    for (const t of values.values()) t.dispose();
  }
}
