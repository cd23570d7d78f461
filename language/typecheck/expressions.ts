/**
 * Typing expressions: every expression gets a type (element type, shape, constraint), a range of
 * values for the constraint checks, and a value when it is a compile-time constant.
 *
 * Decisions: `bool` takes part in arithmetic as 0/1 (it is promoted to int, as in NumPy), but a
 * number is never a condition (`mu ? 1 : 0` is an error: write `mu > 0 ? 1 : 0`). `/` always
 * gives a real; `^` gives a real. Integer + - * % of ints stay int.
 */
import type { CallExpr, Expr, IndexExpr, BinaryExpr } from "../ast.js";
import { constDim, showDim, showType, UNKNOWN_DIM, type Dim, type ElemType, type NetworkT, type TensorT } from "../types.js";
import * as E from "../errors/types.js";
import { nearestName } from "../suggest.js";
import { BUILTINS, activationRange, type BuiltinContext } from "../builtins.js";
import {
  INT_RANGE,
  REAL_RANGE,
  intervalOf,
  intervals,
  rangeFromInterval,
  type ConstValue,
  type Interval,
  type Range,
} from "./constraints.js";
import { ERROR_CHECKED, joinElems, numericElem, tensorChecked, type Checked, type Checker } from "./context.js";
export { joinElems, numericElem, tensorChecked };
import { broadcastShapes, dimsUnify, unifiedDim, offsetDim, combineDims } from "./shapes.js";
import { showExpr } from "./show.js";
import { evalSize } from "./sizes.js";

/** The checked value, with its type recorded against the expression. */
export function checkExpr(e: Expr, ck: Checker): Checked {
  const hit = ck.spine.get(e);
  if (hit) {
    ck.spine.delete(e);
    return hit;
  }
  if (e.kind === "Binary" && e.left.kind === "Binary" && !ck.spine.has(e.left)) {
    // A long left-leaning chain (`a + b + c + ...`, thousands of terms in generated code) is
    // checked bottom-up in a loop, so its length never reaches the call stack.
    const links: Expr[] = [];
    for (let x: Expr = e.left; x.kind === "Binary"; x = x.left) links.push(x);
    for (let i = links.length - 1; i >= 0; i--) ck.spine.set(links[i]!, checkExpr(links[i]!, ck));
  }
  return ck.record(e, checkExprInner(e, ck));
}


function checkExprInner(e: Expr, ck: Checker): Checked {
  switch (e.kind) {
    case "Number":
      return tensorChecked(e.isInt ? "int" : "real", [], rangeFromInterval(intervals.point(e.value), e.isInt), e.value);
    case "Bool":
      return tensorChecked("bool", [], rangeFromInterval(intervals.point(e.value ? 1 : 0), true), e.value);
    case "Identifier": {
      const sym = ck.resolve(e);
      if (!sym || sym.type.kind === "error") return ERROR_CHECKED;
      if (sym.value !== undefined) return { type: sym.type, range: sym.range, value: sym.value };
      return { type: sym.type, range: sym.range };
    }
    case "Array":
      return checkArray(e.elements, ck);
    case "Unary": {
      const c = checkExpr(e.operand, ck);
      const t = ck.tensor(c, e.operand);
      if (!t) return ERROR_CHECKED;
      if (e.op === "!") {
        if (t.elem !== "bool") {
          ck.report(E.operandKind(`'!' needs a bool, got ${showType(t)}`, e.operand.span, "compare it first, e.g. `!(x > 0)`"));
          return ERROR_CHECKED;
        }
        return tensorChecked("bool", t.shape, rangeFromInterval({ lo: 0, hi: 1 }, true), typeof c.value === "boolean" ? !c.value : undefined);
      }
      const elem = numericElem(t);
      if (e.op === "+") return tensorChecked(elem, t.shape, c.range, c.value);
      const value = typeof c.value === "number" ? -c.value : undefined;
      return tensorChecked(elem, t.shape, rangeFromInterval(intervals.neg(intervalOf(c.range)), elem === "int"), value);
    }
    case "Binary":
      return checkBinary(e, ck);
    case "Ternary": {
      const cond = checkExpr(e.cond, ck);
      const a = checkExpr(e.then, ck);
      const b = checkExpr(e.otherwise, ck);
      const ct = ck.tensor(cond, e.cond);
      const at = ck.tensor(a, e.then);
      const bt = ck.tensor(b, e.otherwise);
      if (ct && ct.elem !== "bool") {
        ck.report(E.operandKind(`the condition of '? :' must be a bool, got ${showType(ct)}`, e.cond.span, `compare it: \`${showExpr(e.cond)} > 0 ? ...\``));
      }
      if (!at || !bt) return ERROR_CHECKED;
      let shape = broadcastOrReport(at.shape, bt.shape, e.then, e.otherwise, e, ck);
      if (ct && shape) shape = broadcastOrReport(ct.shape, shape, e.cond, e, e, ck);
      if (!shape) return ERROR_CHECKED;
      const elem: ElemType = at.elem === "bool" && bt.elem === "bool" ? "bool" : joinElems(numericElem(at), numericElem(bt));
      const range = rangeFromInterval(intervals.hull(intervalOf(a.range), intervalOf(b.range)), elem !== "real");
      const value = typeof cond.value === "boolean" && !Array.isArray(a.value) && !Array.isArray(b.value) ? (cond.value ? a.value : b.value) : undefined;
      return tensorChecked(elem, shape, range, value);
    }
    case "Call":
      return checkCall(e, ck);
    case "Index":
      return checkIndex(e, ck);
  }
}

/** Broadcasts two operands' shapes, reporting a size mismatch on `at`. */
export function broadcastOrReport(a: readonly Dim[], b: readonly Dim[], ea: Expr, eb: Expr, at: Expr, ck: Checker): readonly Dim[] | null {
  const r = broadcastShapes(a, b);
  if (r.ok) return r.shape;
  const m = r.mismatch;
  ck.report(E.sizeMismatch(showExpr(ea), m.axisA, showDim(m.dimA), showExpr(eb), m.axisB, showDim(m.dimB), at.span));
  return null;
}

function checkArray(elements: readonly Expr[], ck: Checker): Checked {
  const cs = elements.map((x) => checkExpr(x, ck));
  if (cs.length === 0) return tensorChecked("real", [constDim(0)], REAL_RANGE, []);
  let elem: ElemType | null = null;
  let shape: readonly Dim[] | null = null;
  let iv: Interval | null = null;
  let failed = false;
  const values: ConstValue[] = [];
  for (let i = 0; i < cs.length; i++) {
    const t = ck.tensor(cs[i]!, elements[i]!);
    if (!t) {
      failed = true;
      continue;
    }
    elem = elem === null ? t.elem : elem === "bool" && t.elem === "bool" ? "bool" : joinElems(numericElem(t), elem === "bool" ? "int" : elem);
    iv = iv === null ? intervalOf(cs[i]!.range) : intervals.hull(iv, intervalOf(cs[i]!.range));
    if (shape === null) shape = t.shape;
    else if (shape.length !== t.shape.length || !shape.every((d, k) => dimsUnify(d, t.shape[k]!))) {
      ck.report(E.valueDoesNotFit(`element ${i} of this array`, showType(t), `an element shaped like the first (${shape.length ? `[${shape.map(showDim).join(", ")}]` : "a scalar"})`, elements[i]!.span));
      failed = true;
    } else shape = shape.map((d, k) => unifiedDim(d, t.shape[k]!));
    if (cs[i]!.value !== undefined) values.push(cs[i]!.value!);
  }
  if (failed || elem === null || shape === null || iv === null) return ERROR_CHECKED;
  return tensorChecked(elem, [constDim(cs.length), ...shape], rangeFromInterval(iv, elem !== "real"), values.length === cs.length ? values : undefined);
}

const ARITH = new Set(["+", "-", "*", "/", "%", "^"]);
const COMPARE = new Set(["<", "<=", ">", ">="]);

/** Folds a binary operator over two constants; undefined where it cannot (division by zero, `@`). */
export function foldNumbers(op: string, a: number, b: number): number | boolean | undefined {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? undefined : a / b;
    case "%":
      return b === 0 ? undefined : a % b;
    case "^":
      return a ** b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    default:
      return undefined;
  }
}

const scalarNumber = (v: ConstValue | undefined): number | undefined => (typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : undefined);

function checkBinary(e: BinaryExpr, ck: Checker): Checked {
  const a = checkExpr(e.left, ck);
  const b = checkExpr(e.right, ck);
  const at = ck.tensor(a, e.left);
  const bt = ck.tensor(b, e.right);
  if (!at || !bt) return ERROR_CHECKED;
  const op = e.op;
  if (op === "&&" || op === "||") {
    for (const [t, x] of [
      [at, e.left],
      [bt, e.right],
    ] as const) {
      if (t.elem !== "bool") ck.report(E.operandKind(`'${op}' needs bools, got ${showType(t)}`, x.span, `compare it first, e.g. \`${showExpr(x)} > 0\``));
    }
    if (at.elem !== "bool" || bt.elem !== "bool") return ERROR_CHECKED;
    const shape = broadcastOrReport(at.shape, bt.shape, e.left, e.right, e, ck);
    if (!shape) return ERROR_CHECKED;
    const value = typeof a.value === "boolean" && typeof b.value === "boolean" ? (op === "&&" ? a.value && b.value : a.value || b.value) : undefined;
    return tensorChecked("bool", shape, rangeFromInterval({ lo: 0, hi: 1 }, true), value);
  }
  if (op === "@") return checkMatmul(e, at, bt, ck);
  const shape = broadcastOrReport(at.shape, bt.shape, e.left, e.right, e, ck);
  if (!shape) return ERROR_CHECKED;
  const av = scalarNumber(a.value);
  const bv = scalarNumber(b.value);
  const folded = av !== undefined && bv !== undefined ? foldNumbers(op, av, bv) : undefined;
  if (op === "==" || op === "!=" || COMPARE.has(op)) {
    if (COMPARE.has(op) && (at.elem === "bool" || bt.elem === "bool")) {
      const x = at.elem === "bool" ? e.left : e.right;
      ck.report(E.operandKind(`'${op}' compares numbers, got a bool`, x.span, "compare numbers, or use == and != for bools"));
      return ERROR_CHECKED;
    }
    return tensorChecked("bool", shape, rangeFromInterval({ lo: 0, hi: 1 }, true), typeof folded === "boolean" ? folded : undefined);
  }
  if (!ARITH.has(op)) return ERROR_CHECKED;
  const ea = numericElem(at);
  const eb = numericElem(bt);
  const elem: ElemType = op === "/" || op === "^" ? "real" : joinElems(ea, eb);
  const ia = intervalOf(a.range);
  const ib = intervalOf(b.range);
  const iv =
    op === "+" ? intervals.add(ia, ib) : op === "-" ? intervals.sub(ia, ib) : op === "*" ? intervals.mul(ia, ib) : op === "/" ? intervals.div(ia, ib) : op === "^" ? intervals.pow(ia, ib) : ia.lo >= 0 && ib.lo > 0 ? { lo: 0, hi: ib.hi === Infinity ? Infinity : ib.hi - 1 } : intervals.all;
  return tensorChecked(elem, shape, rangeFromInterval(iv, elem === "int"), typeof folded === "number" && Number.isFinite(folded) ? folded : undefined);
}

function checkMatmul(e: BinaryExpr, at: TensorT, bt: TensorT, ck: Checker): Checked {
  const elem = joinElems(numericElem(at), numericElem(bt));
  if (at.shape.length === 0 || bt.shape.length === 0) {
    const which = at.shape.length === 0 ? e.left : e.right;
    ck.report(E.matmulMismatch(`'@' needs vectors or matrices, but ${showExpr(which)} is a scalar`, which.span));
    return ERROR_CHECKED;
  }
  const aInner = at.shape[at.shape.length - 1]!;
  const bInnerAxis = bt.shape.length === 1 ? 0 : bt.shape.length - 2;
  const bInner = bt.shape[bInnerAxis]!;
  if (!dimsUnify(aInner, bInner)) {
    ck.report(
      E.matmulMismatch(
        `size mismatch in '@': ${showExpr(e.left)} has ${showDim(aInner)} along axis ${at.shape.length - 1} but ${showExpr(e.right)} has ${showDim(bInner)} along axis ${bInnerAxis}`,
        e.span,
      ),
    );
    return ERROR_CHECKED;
  }
  const aBatch = at.shape.slice(0, -1);
  const bOuter = bt.shape.length === 1 ? [] : [bt.shape[bt.shape.length - 1]!];
  let shape: readonly Dim[];
  if (at.shape.length <= 2 && bt.shape.length <= 2) shape = [...aBatch, ...bOuter];
  else {
    // Batched: broadcast the leading axes of both, as NumPy's matmul does.
    const ab = at.shape.length >= 2 ? at.shape.slice(0, -2) : [];
    const bb = bt.shape.length >= 2 ? bt.shape.slice(0, -2) : [];
    const batch = broadcastOrReport(ab, bb, e.left, e.right, e, ck);
    if (!batch) return ERROR_CHECKED;
    shape = [...batch, ...(at.shape.length >= 2 ? [at.shape[at.shape.length - 2]!] : []), ...bOuter];
  }
  return tensorChecked(elem, shape, elem === "int" ? INT_RANGE : REAL_RANGE);
}

// ---------------------------------------------------------------------------------------------
// Calls: built-in functions and network application

function checkCall(e: CallExpr, ck: Checker): Checked {
  const name = e.callee.name;
  const sym = ck.scope.lookup(name);
  if (sym && sym.type.kind === "network") {
    ck.resolve(e.callee);
    return applyNetwork(e, sym.type, ck);
  }
  const builtin = BUILTINS.get(name);
  if (!builtin) {
    if (sym) {
      ck.references.set(e.callee, sym);
      ck.report(E.notAFunction(name, sym.type.kind === "tensor" ? `a ${sym.role} of type ${showType(sym.type)}` : `a ${sym.role}`, e.callee.span));
    } else {
      const networkNames = ck.scope.names().filter((n) => ck.scope.lookup(n)?.type.kind === "network");
      ck.report(E.unknownFunction(name, e.callee.span, nearestName(name, [...BUILTINS.keys(), ...networkNames])));
    }
    for (const a of e.args) checkExpr(a, ck);
    return ERROR_CHECKED;
  }
  if (e.args.length < builtin.minArgs || e.args.length > builtin.maxArgs) {
    ck.report(E.functionArity(name, builtin.doc, e.args.length, e.span));
    e.args.forEach((a, i) => {
      if (!builtin.sizeArgs?.(i)) checkExpr(a, ck);
    });
    return ERROR_CHECKED;
  }
  const ctx: BuiltinContext = {
    check: (x) => checkExpr(x, ck),
    size: (x) => evalSize(x, ck),
    tensor: (c, x) => ck.tensor(c, x),
    report: (d) => ck.report(d),
    broadcast: (a, b, ea, eb) => broadcastOrReport(a, b, ea, eb, e, ck),
  };
  return builtin.check(e, ctx);
}

function applyNetwork(e: CallExpr, net: NetworkT, ck: Checker): Checked {
  const name = e.callee.name;
  if (e.args.length !== 1) {
    ck.report(E.functionArity(name, `${name}(x), a network applied to one input`, e.args.length, e.span));
    for (const a of e.args) checkExpr(a, ck);
    return ERROR_CHECKED;
  }
  const arg = e.args[0]!;
  const c = checkExpr(arg, ck);
  const t = ck.tensor(c, arg);
  if (!t) return ERROR_CHECKED;
  if (t.elem === "bool") {
    ck.report(E.functionArgument(`network '${name}' takes numbers, got ${showType(t)}`, arg.span, "convert the input to numbers"));
    return ERROR_CHECKED;
  }
  const inSize = net.layers[0] ?? UNKNOWN_DIM;
  const outSize = net.layers[net.layers.length - 1] ?? UNKNOWN_DIM;
  if (t.shape.length === 0) {
    ck.report(E.networkInputSize(name, showDim(inSize), "a scalar", arg.span));
    return ERROR_CHECKED;
  }
  const last = t.shape[t.shape.length - 1]!;
  if (!dimsUnify(last, inSize)) {
    ck.report(E.networkInputSize(name, showDim(inSize), `${showDim(last)} (${showExpr(arg)} is ${showType(t)})`, arg.span));
    return ERROR_CHECKED;
  }
  const out = net.activations["out"] ?? net.activations["output"];
  const range = out ? activationRange(out) : REAL_RANGE;
  return tensorChecked("real", [...t.shape.slice(0, -1), outSize], range);
}

// ---------------------------------------------------------------------------------------------
// Indexing

/** How many trailing axes a range's structure spans. */
const structureRank = (r: Range): number =>
  r.structure === "simplex" || r.structure === "ordered" || r.structure === "positive_ordered" ? 1 : r.structure === null ? 0 : 2;

function checkIndex(e: IndexExpr, ck: Checker): Checked {
  const obj = checkExpr(e.object, ck);
  const ot = ck.tensor(obj, e.object);
  // Check the index expressions even when the object failed, to find their own errors.
  const shape: Dim[] = [];
  let failed = !ot;
  let axis = 0;
  let touchesEvent = false;
  const rank = ot ? ot.shape.length : 0;
  const eventFrom = ot ? rank - structureRank(obj.range) : 0;
  if (ot && e.indices.length > rank) {
    ck.report(E.tooManyIndices(`${showExpr(e.object)} (${showType(ot)})`, rank, e.indices.length, e.indices[rank]!.span));
    failed = true;
  }
  for (const idx of e.indices) {
    const dim = ot ? ot.shape[axis] : undefined;
    if (dim !== undefined && axis >= eventFrom) touchesEvent = true;
    if (idx.kind === "Slice") {
      const start = idx.start ? checkIntIndex(idx.start, ck) : { ok: true, value: 0 };
      const end = idx.end ? checkIntIndex(idx.end, ck) : { ok: true, value: undefined };
      if (!start.ok || !end.ok) failed = true;
      if (dim !== undefined) {
        const from = start.value;
        const s = idx.start ? sliceDim(idx.start, start.value, ck) : constDim(0);
        const t = idx.end ? sliceDim(idx.end, end.value, ck) : dim;
        let size: Dim = combineDims("-", t, s);
        if (from !== undefined && idx.end === null) size = offsetDim(dim, -from);
        if (size.kind === "const" && size.value < 0) size = constDim(0);
        if (dim.kind === "const" && typeof end.value === "number" && end.value > dim.value) {
          ck.report(E.indexOutOfRange(end.value, dim.value + 1, idx.end!.span));
          failed = true;
        }
        shape.push(size);
      }
    } else {
      const c = checkExpr(idx, ck);
      const it = ck.tensor(c, idx);
      if (!it) {
        failed = true;
      } else if (it.elem !== "int") {
        ck.report(E.nonIntIndex(showType(it), idx.span));
        failed = true;
      } else if (it.shape.length === 0) {
        if (dim !== undefined && typeof c.value === "number" && dim.kind === "const" && (c.value < 0 || c.value >= dim.value)) {
          ck.report(E.indexOutOfRange(c.value, dim.value, idx.span));
          failed = true;
        } else if (typeof c.value === "number" && c.value < 0) {
          ck.report(E.indexOutOfRange(c.value, dim && dim.kind === "const" ? dim.value : 0, idx.span));
          failed = true;
        }
      } else {
        // An int array gathers: the axis is replaced by the index's shape (`mu[z]`).
        shape.push(...it.shape);
      }
    }
    axis++;
  }
  if (failed || !ot) return ERROR_CHECKED;
  shape.push(...ot.shape.slice(axis));
  const range: Range = touchesEvent ? { ...obj.range, structure: null } : obj.range;
  return tensorChecked(ot.elem, shape, range);
}

function checkIntIndex(x: Expr, ck: Checker): { ok: boolean; value: number | undefined } {
  const c = checkExpr(x, ck);
  const t = ck.tensor(c, x);
  if (!t) return { ok: false, value: undefined };
  if (t.elem !== "int" || t.shape.length !== 0) {
    ck.report(E.nonIntIndex(showType(t), x.span));
    return { ok: false, value: undefined };
  }
  return { ok: true, value: typeof c.value === "number" ? c.value : undefined };
}

/** A slice bound as a size: a constant, or the bound's text (`a:b` has size `b-a`). */
function sliceDim(x: Expr, value: number | undefined, ck: Checker): Dim {
  if (value !== undefined) return constDim(value);
  const sym = x.kind === "Identifier" ? ck.scope.lookup(x.name) : undefined;
  if (sym && sym.role === "data") return { kind: "sym", name: x.kind === "Identifier" ? x.name : "" };
  return UNKNOWN_DIM;
}
