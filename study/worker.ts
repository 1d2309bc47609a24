/**
 * The Worker module of the study: runs chunks of closed-loop runs ({@linkcode runChunk}) and single
 * recorded runs ({@linkcode recordRun}) with the same code the main thread uses, so a result does not
 * depend on where it was computed.
 *
 * Task kinds: `runs` ({@linkcode RunsTask} → packed summaries, transferred) and `record`
 * ({@linkcode RecordTask} → {@linkcode RecordedRun}, buffers transferred).
 *
 * @module
 */
import { serveWorker, transfer } from "../workers/mod.ts";
import { type RecordedRun, recordRun, type RecordTask } from "./record.ts";
import { runChunk, type RunSetup, type RunSpec } from "./runs.ts";

/** Payload of a `runs` task. */
export interface RunsTask {
  readonly setup: RunSetup;
  readonly specs: readonly RunSpec[];
}

serveWorker({
  runs(task: RunsTask) {
    const packed = runChunk(task.setup, task.specs);
    return transfer(packed, [packed.buffer as ArrayBuffer]);
  },
  record(task: RecordTask) {
    const run: RecordedRun = recordRun(task);
    const buffers = [run.t.buffer, run.x.buffer, run.u.buffer] as ArrayBuffer[];
    if (run.disturbance) buffers.push(run.disturbance.buffer as ArrayBuffer);
    return transfer(run, buffers);
  },
});
