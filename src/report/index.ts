export * from '../checks/result.ts';
export { renderMarkdown } from './markdown.ts';
export { renderJunit } from './junit.ts';
export { renderConsoleSummary, renderProgressLine, type CasePosition, type ConsoleOptions } from './console.ts';
export { prepareReportDir, writeReports } from './write.ts';
export { makeRunId } from './run-id.ts';
export { renderFigures } from './figures.ts';
