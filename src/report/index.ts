/** The run report (report.html): see render.ts. */
export { renderReport, type RenderReportOptions, type RenderedReport } from './render.js';
export {
  buildHistoryModel,
  HistoryModelBuilder,
  Outcome,
  type HistoryModel,
  type FaultPeriod,
} from './model.js';
export { ReportInputError } from './errors.js';
