/**
 * The stdlib as the type checker sees it: plain data, structurally a language `Signatures`
 * (stdlib never imports the language; the compiler passes this in).
 */
import type { DistributionDefinition } from "./distributions/define.js";
import { distributionRegistry } from "./distributions/index.js";
import { stdlibModules } from "./modules.js";
import type { NetworkDefinition } from "./nn/networks.js";
import { networkRegistry } from "./nn/networks.js";

export interface StdlibSignatures {
  readonly distributions: ReadonlyMap<string, DistributionDefinition>;
  readonly networks: ReadonlyMap<string, NetworkDefinition>;
  readonly modules: ReadonlyMap<string, readonly string[]>;
}

export function stdlibSignatures(): StdlibSignatures {
  return { distributions: distributionRegistry, networks: networkRegistry, modules: stdlibModules };
}
