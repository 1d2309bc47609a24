/**
 * The command-line tasks (`deno task tune`, `simulate`, `bench`, `study`, `worker`) as functions, with
 * what they share: exit codes, usage errors, the options tables their usage texts are generated from,
 * files named by flags (the config, the gains file and its one parser), output path checks, the tune
 * pipeline and its reports, SVG charts, README blocks, and the import check of `deno task check`.
 * Each task's `main` is exported under the task's name (`runTune`, `runSimulate`, `runBench`,
 * `runStudyTask`, `runWorker`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXIT, TUNE_OPTIONS, TUNE_USAGE } from "./mod.ts";
 * assert.equal(EXIT.usage, 2);
 * for (const flag of Object.keys(TUNE_OPTIONS)) assert.ok(TUNE_USAGE.includes(`--${flag}`), flag);
 * ```
 *
 * @module
 */
export {
  checkOutputPaths,
  type CliOption,
  type CliOptions,
  type CliValues,
  createProgressLine,
  EXIT,
  type ExitCode,
  formatOptions,
  intOption,
  loadConfigFlag,
  type OutputPath,
  parseCli,
  type ProgressSink,
  readFlagFile,
  TaskError,
  type TextFileWriter,
  UsageError,
  writeTextFileCreatingFolders,
} from "./cli.ts";
export { type GainsFile, gainsOf, parseGainsFile, readGainsFile } from "./gains_file.ts";
export { main as runTune, TUNE_OPTIONS, TUNE_USAGE, type TuneIO } from "./tune.ts";
export { DEFAULT_CHECKPOINT_DIR, NATS_TUNE_OPTIONS, readNatsTuneOptions } from "./tune_nats.ts";
export { main as runWorker, WORKER_OPTIONS, WORKER_USAGE, type WorkerIO } from "./worker.ts";
export {
  checkTuning,
  maxRobustnessRuns,
  type NominalMetrics,
  nominalRun,
  tuneController,
  type TuneControllerOptions,
  type TunedController,
  TuneFollowUpError,
  type TuneRecord,
  type TuneSettings,
} from "./tuning.ts";
export { reportHtml, resultsMarkdown, type TuneReport, type TuneRuns } from "./tune_report.ts";
export {
  main as runSimulate,
  NOT_A_NUMBER_TEXT,
  parseGainList,
  SIMULATE_OPTIONS,
  type SimulateTaskDeps,
  usage as simulateUsage,
} from "./simulate.ts";
export { BENCH_OPTIONS, BENCH_USAGE, type BenchEntry, benchMarkdown, main as runBench } from "./bench.ts";
export { main as runStudyTask, STUDY_OPTIONS, STUDY_USAGE, type StudyIO } from "./study.ts";
export {
  COMPARISON_COLUMNS,
  comparisonMarkdown,
  type ComparisonRow,
  comparisonRows,
  studyHtml,
} from "./study_report.ts";
export {
  ANIMATION_SCALE,
  animationSceneSvg,
  basinHeatmapSvg,
  boxPlotSvg,
  type BoxSeries,
} from "./study_charts.ts";
export { checkReadmeSection, replaceSection, updateReadmeSection } from "./readme.ts";
export {
  type ChartGuide,
  type ChartSeries,
  escapeXml,
  type LineChartOptions,
  lineChartSvg,
  niceTicks,
  stackedChartsSvg,
} from "./svg.ts";
export {
  findImportViolations,
  formatViolation,
  type ImportCheckOptions,
  type ImportViolation,
  importViolations,
  main as checkImports,
  TEST_ONLY_MODULES,
} from "./check_imports.ts";
