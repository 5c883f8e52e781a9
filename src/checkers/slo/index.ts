/** SLOs as verdicts: expressions (expression.ts) measured over a history (check.ts). */
export { checkSlos, measure, type SloOutcome, type SloResult, type SloOptions } from './check.js';
export { parseSlo, parseSlos, SloSyntaxError, formatMeasure, type Slo } from './expression.js';
