/**
 * Checking a result read from the bucket against the chunk it claims to answer, before the
 * coordinator uses its costs.
 *
 * @module
 */
import { DistributedError } from "./errors.ts";
import type { ChunkState } from "./chunks.ts";
import type { DescribeChunks } from "./deadlines.ts";
import { type ParsedResult, parseResult } from "./protocol.ts";

/**
 * The iteration and chunk a result key (`run.iteration.chunk`) of run `runId` names, or
 * `undefined` for another run's key or one that is not a result key.
 *
 * @example Usage
 * ```ts
 * import { resultKeyParts } from "./result_intake.ts";
 * import assert from "node:assert/strict";
 * assert.deepStrictEqual(resultKeyParts("r1.4.2", "r1"), { iteration: 4, chunk: 2 });
 * assert.equal(resultKeyParts("r2.4.2", "r1"), undefined);
 * assert.equal(resultKeyParts("r1.x.2", "r1"), undefined);
 * ```
 *
 * @param key The bucket key.
 * @param runId The run id.
 * @returns Its iteration and chunk index.
 */
export function resultKeyParts(key: string, runId: string): { iteration: number; chunk: number } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== runId) return undefined;
  const iteration = Number(parts[1]), chunk = Number(parts[2]);
  if (!Number.isSafeInteger(iteration) || !Number.isSafeInteger(chunk)) return undefined;
  return { iteration, chunk };
}

/** What a result is checked against. */
export interface ResultContext {
  /** The run id. */
  readonly runId: string;
  /** The run's config hash. */
  readonly configHash: string;
  /** The iteration being evaluated. */
  readonly iteration: number;
  /** The chunk the result must answer. */
  readonly chunk: ChunkState;
  /** Names chunks and the workers involved, for the errors. */
  readonly describe: DescribeChunks;
}

/**
 * Checks a result: its costs when it answers the chunk, else the error that ends the run
 * ("invalid_result" for a result that does not answer it, "refused" or "chunk_failed" for a
 * worker's record of a chunk it refused or failed on its last delivery).
 *
 * @example Usage
 * ```ts
 * import { checkResult } from "./result_intake.ts";
 * import { cutChunks } from "./chunks.ts";
 * import assert from "node:assert/strict";
 * const template = {
 *   v: 1 as const, run: "r1", maxDeliver: 5, ackWaitMs: 30000, configHash: "a".repeat(64),
 *   setupHash: "b".repeat(64), controllerType: "sta_smc", seed: 1, scenarioCount: 1,
 * };
 * const [chunk] = cutChunks(template, 0, Float64Array.of(1, 2), 2, 1, 2);
 * const context = { runId: "r1", configHash: "a".repeat(64), iteration: 0, chunk, describe: () => "" };
 * const result = {
 *   v: 1, run: "r1", iteration: 0, chunk: 0, configHash: "a".repeat(64),
 *   positionsHash: chunk.positionsHash, worker: "w1", costs: [1.5, 2], failures: 0, elapsedMs: 1,
 * };
 * const encode = (r: object) => new TextEncoder().encode(JSON.stringify(r));
 * const checked = checkResult(encode(result), context);
 * assert.ok(checked.ok && checked.costs[0] === 1.5);
 * const other = checkResult(encode({ ...result, positionsHash: "c".repeat(64) }), context);
 * assert.ok(!other.ok && other.error.code === "invalid_result");
 * ```
 *
 * @param data The stored result.
 * @param context See {@linkcode ResultContext}.
 * @returns The parsed result, or the error.
 */
export function checkResult(
  data: Uint8Array,
  context: ResultContext,
): Extract<ParsedResult, { ok: true }> | { readonly ok: false; readonly error: DistributedError } {
  const { runId, chunk, iteration } = context;
  let parsed: ParsedResult;
  try {
    parsed = parseResult(data, {
      run: runId,
      iteration,
      chunk: chunk.index,
      count: chunk.count,
      configHash: context.configHash,
      positionsHash: chunk.positionsHash,
    });
  } catch (error) {
    return {
      ok: false,
      error: new DistributedError(
        "invalid_result",
        `run ${runId}: ${(error as Error).message}; the result was not used and the run stops`,
        { cause: error },
      ),
    };
  }
  if (!parsed.ok) {
    return {
      ok: false,
      error: new DistributedError(
        parsed.errorKind === "refused" ? "refused" : "chunk_failed",
        `run ${runId}: chunk ${chunk.index} of iteration ${iteration} ${parsed.errorKind} on its last delivery by ${parsed.worker}: ` +
          `${parsed.error}; ${context.describe([chunk])}`,
      ),
    };
  }
  return parsed;
}
