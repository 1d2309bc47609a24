/**
 * Distributed evaluation over NATS JetStream (docs/distributed.md): a coordinator back end for
 * `PSOTuner` and a remote worker.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./hash.ts";
export * from "./protocol.ts";
export * from "./connection.ts";
export * from "./coordinator.ts";
export * from "./remote_worker.ts";
export * from "./tune_support.ts";
export * from "./local_cluster.ts";
export * from "./bench.ts";
