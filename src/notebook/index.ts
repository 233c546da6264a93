/**
 * Notebook support (tslab): `show(table)` and `plot(spec)` as rich MIME bundles, live sweep
 * progress, the lock timeline micro-simulation, the notebooks' extra workloads, and small
 * helpers to load committed results. Sits on top of experiment/ and plot/.
 */
export {
  show, plot, display, tableBundle, chartBundle, formatCell, columnLabel, detectSink, displaySink, setDisplaySink, consoleSink, newDisplayId,
  VEGA_LITE_MIME, type MimeBundle, type DisplaySink, type ShowOptions,
} from './display';
export { liveProgress, runSweepLive, progressBundle, type LiveProgress, type LiveProgressOptions } from './progress';
export { lockTimeline, TIMELINE_DESIGNS, type LockTimeline, type LockTimelineOptions, type TimelineInterval, type TimelineState, type TimelineDesign } from './timeline';
export { NOTEBOOK_WORKLOADS_MODULE, numaMigrationScanWorkload, registerNotebookWorkloads } from './workloads';
export { projectPath, readCsvTable, readJson } from './files';
