/**
 * Units of information. Every quantity is computed in nats (natural logarithms) and divided by
 * ln(base) at the end: base 2 gives bits, e gives nats, 10 gives hartleys (dits).
 */

/** "bits" (base 2), "nats" (base e), "hartleys" (base 10), or any base > 0 other than 1. */
export type InfoBase = "bits" | "nats" | "hartleys" | number;

export interface InfoOptions {
  /** Unit of the result; default "nats". */
  readonly base?: InfoBase;
}

/** ln(base): divide a value in nats by this to express it in `base`. */
export function natsPerUnit(base: InfoBase = "nats", owner = "information"): number {
  if (base === "bits") return Math.LN2;
  if (base === "nats") return 1;
  if (base === "hartleys") return Math.LN10;
  if (typeof base !== "number" || !Number.isFinite(base) || base <= 0 || base === 1) {
    throw new RangeError(`${owner}: option 'base' must be "bits", "nats", "hartleys" or a number > 0 other than 1, got ${String(base)}`);
  }
  return Math.log(base);
}

/** The unit's name: "bits", "nats", "hartleys" or "base-b units". */
export function unitName(base: InfoBase = "nats"): string {
  if (base === "bits" || base === 2) return "bits";
  if (base === "nats" || base === Math.E) return "nats";
  if (base === "hartleys" || base === 10) return "hartleys";
  return `base-${base} units`;
}
