/** Linearizability checking: models, search, explanations and diagrams. */
export {
  checkLinearizability,
  resolveModel,
  DEFAULT_MEMORY_LIMIT,
  type LinearizabilityOptions,
  type LinearizabilityResult,
  type PartitionResult,
  type UndecidedPartition,
} from './check.js';
export type { Model, ModelOp } from './model.js';
export {
  keyedModel,
  hashJson,
  hashString,
  jsonEqual,
  canonicalJson,
  defaultDescribeOp,
} from './model.js';
export * from './models/index.js';
export { searchPartition, type SearchOutcome, type SearchLimits, type Prefix } from './search.js';
export { prepare, pairOps, type Partition } from './prepare.js';
export {
  explainViolation,
  formatViolationText,
  type Violation,
  type OpSummary,
  type PrefixSummary,
} from './explain.js';
export { LinearizabilityInputError } from './errors.js';
export {
  renderViolationSvg,
  renderViolationFigure,
  renderViolationHtml,
  type RenderOptions,
} from './render.js';
