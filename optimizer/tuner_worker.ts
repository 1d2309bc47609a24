/**
 * The Worker module behind {@linkcode PSOTuner}: serves the tuner's tasks (`evaluate`, `release`,
 * `stats`; see `tuner_tasks.ts`) with the same evaluation core as the main thread, so a particle's cost does
 * not depend on where it ran.
 *
 * @module
 */
import { createTunerHandlers } from "./tuner_tasks.ts";
import { serveWorker } from "../workers/mod.ts";

export type {
  EvaluateResult,
  EvaluateTask,
  ReleaseResult,
  ReleaseTask,
  TunerWorkerStats,
} from "./tuner_tasks.ts";
export type { FitnessReference } from "./fitness.ts";

serveWorker({ ...createTunerHandlers() });
