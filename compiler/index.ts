/** The public surface of compiler/: the front-end pipeline, the graph IR, its analyses and printed forms. */
export { compileSource, type CompileOptions, type Compiled } from "./frontend.js";
export { lower } from "./lower.js";
export {
  buildGraph,
  isRandom,
  isGiven,
  randomNodes,
  nodeOf,
  plateChain,
  allFactors,
  NODE_KINDS,
  type GraphCore,
  type GraphIR,
  type GraphInput,
  type GuideSection,
  type IrNode,
  type IrFactor,
  type IrDefinition,
  type IrPlate,
  type IrEdge,
  type IrUse,
  type IrShape,
  type NetworkInfo,
  type NodeKind,
  type DeclaredRole,
  type EdgeKind,
  type FactorKind,
  type PlateOrigin,
  type NodeInput,
  type FactorInput,
  type DefinitionInput,
  type PlateInput,
} from "./ir.js";
export {
  ANALYSIS_PASSES,
  runAnalyses,
  attachAnalyses,
  dependencyOrder,
  markovBlankets,
  expandedUses,
  conjugacy,
  CONSTANT_FUNCTIONS,
  type Conjugacy,
  type ConjugateFactor,
  type LatentConjugacy,
  type ArgForm,
  validateGraph,
  topoSort,
  type AnalysisPass,
  type AnyAnalysisPass,
  type AnalysisName,
  type GraphAnalyses,
  type DependencyOrder,
  type MarkovBlanket,
  type MarkovBlankets,
  type BlanketMember,
  type BlanketFactor,
  type BlanketScope,
} from "./analysis/index.js";
export { formatGraphText, formatGraphDot, formatGraphJson, formatFactor, formatSize, type GraphJson, type GraphJsonNode, type GraphJsonDistribution, type TextFormatOptions } from "./graph-format.js";
export { evalDim, evalShape, evalSizeText } from "./sizes.js";
export { LOWER_CODES, INVARIANT_CODES } from "./errors.js";
// data checks
export * from "./data/index.js";
// the log joint
export * from "./logjoint/index.js";
