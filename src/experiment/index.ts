/**
 * Experiments: one run (`run`), sweeps over grids and samples of parameters × seeds
 * (`runSweep`, resumable and shardable), and merging shards (`mergeSweeps`). Results are
 * tidy tables (CSV, JSON, Arrow files; Arquero tables in the API) with provenance.
 */
export { ConfigError } from './errors';
export {
  validateRunConfig, resolveRunConfig, resolveWorkloadParams, configHash, DEFAULT_MACHINE, DEFAULT_KERNEL, DEFAULT_DURATION_MS,
  type RunConfigInput, type RunConfig, type ResolvedRun,
} from './config';
export { run, measure, type RunResult, type RunMeasurement, type TracePoint } from './run';
export { provenance, type Provenance } from './provenance';
export {
  expandSweep, loadSweepSpec, runSeed, shardRuns, specKey, describePairSeeds, MAX_POINTS,
  type SweepSpecInput, type SweepSpec, type AxisSpec, type RangeSpec, type SampleParamSpec, type SweepColumn, type SweepPoint, type SweepRun, type ExpandedSweep, type PairSeedsEntry,
} from './spec';
export { sobolPoints, SOBOL_MAX_DIMS } from './sobol';
export {
  runSweep, SweepResult, toArquero, loadSweepTable, loadSweepProvenance, type SweepOptions, type SweepProvenance,
} from './sweep';
export { mergeSweeps, type MergeResult, type MergeProvenance } from './merge';
export { buildTables, type JournalEntry, type SweepTables } from './results';
export { toCsv, toJson, toArrow, columnTypes, type Table, type Row, type Cell, type ColumnType } from './tables';
export { progressBar, progressLine, type SweepProgress } from './progress';
export { RunError } from './pool';
export {
  reproduce, planReproduce, setupReproduce, presetPath, writeFilesAtomic, resolvePlan, resolvePreset, loadPreset, planSweeps, DEFAULT_GOALS,
  aggregatePoints, buildTable, buildNuma, buildSites, buildExtra, buildSummary, formatReport, TABLE_COLUMNS,
  ci95, mean, sampleSd, studentTQuantile, studentTCdf, pctChange, pctError, pointsError, meanAbs,
  loadPaperTable, loadPaperNuma, parsePaperCsv, svgChart, niceTicks,
  type ReproduceOptions, type ReproduceResult, type ReproduceJson, type ReproduceJsonRow, type ReproducePreset, type ReproducePlan,
  type ReproduceOverrides, type ReproduceGoals, type ReproduceSetup, type ComparisonSpec, type PresetSweep, type PlannedSweep, type RunRecord, type PointStat, type TableRow, type NumaResult,
  type SiteRow, type ExtraResult, type Check, type Summary, type PaperRow, type PaperNuma, type ChartSpec, type ChartSeries,
} from './reproduce';
export { pairedChange, PAIRED_CHANGE_COLUMNS, type PairedChangeOptions, type PairedChangeSource } from './paired';
