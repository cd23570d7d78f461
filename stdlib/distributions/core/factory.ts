/**
 * Each exported distribution name is both its signature (the fields of its definition, as plain
 * properties) and a factory: `Normal(0, 1)` builds a `Normal` distribution, `Normal.params` is the
 * parameter list the type checker reads, `Normal.create({ loc, scale }, { validate: false })` is
 * the by-name form inference code uses. The registry (`distributions`) keeps the plain frozen
 * definitions, so `stdlibSignatures()` stays plain data.
 */
import type { DistributionDefinition } from "../define.js";
import type { ParamInput } from "./args.js";
import type { Distribution, DistributionOptions } from "./distribution.js";

/** Positional arguments of a definition: one `ParamInput` per parameter, in order. */
export type PositionalArgs<D extends DistributionDefinition> = ParamTuple<D["params"]>;
/** Homomorphic over the tuple (so array methods are not mapped). */
type ParamTuple<P extends readonly unknown[]> = { -readonly [K in keyof P]: ParamInput };

/** Arguments by name: `{ loc: 0, scale: 1 }`. */
export type NamedArgs<D extends DistributionDefinition> = { readonly [P in D["params"][number] as P["name"]]: ParamInput };

export type DistributionFactory<D extends DistributionDefinition = DistributionDefinition, I extends Distribution = Distribution> = ((
  ...args: PositionalArgs<D>
) => I) &
  Readonly<D> & {
    /** The plain signature object (what the registry and the type checker hold). */
    readonly definition: D;
    /** Build from arguments by name, with options. */
    create(args: NamedArgs<D>, options?: DistributionOptions): I;
  };

export function distributionFactory<D extends DistributionDefinition, I extends Distribution>(
  definition: D,
  build: (args: Readonly<Record<string, ParamInput>>, options: DistributionOptions) => I,
): DistributionFactory<D, I> {
  const names = definition.params.map((p) => p.name);
  const call = function (...args: ParamInput[]): I {
    if (args.length !== names.length) {
      throw new Error(`${definition.name} takes ${names.length} argument${names.length === 1 ? "" : "s"} (${names.join(", ")}), got ${args.length}`);
    }
    const named: Record<string, ParamInput> = {};
    names.forEach((n, i) => (named[n] = args[i]!));
    return build(named, {});
  };
  // The signature's fields as the function's own properties (`name` replaces Function.name).
  for (const [key, value] of Object.entries(definition)) {
    Object.defineProperty(call, key, { value, enumerable: true, writable: false, configurable: false });
  }
  Object.defineProperty(call, "definition", { value: definition, enumerable: false });
  Object.defineProperty(call, "create", {
    value: (args: Readonly<Record<string, ParamInput>>, options: DistributionOptions = {}) => build(args, options),
    enumerable: false,
  });
  return Object.freeze(call) as unknown as DistributionFactory<D, I>;
}
