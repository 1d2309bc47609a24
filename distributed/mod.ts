/**
 * Distributed evaluation over NATS JetStream (docs/distributed.md): a coordinator back end for
 * `PSOTuner`, a remote worker, the wire protocol and its checks, and a local cluster for tests and
 * benchmarks.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./hash.ts";
export * from "./protocol.ts";
export * from "./connection.ts";
export * from "./fleet.ts";
export * from "./chunks.ts";
export * from "./coordinator.ts";
export * from "./remote_worker.ts";
export * from "./tune_support.ts";
export * from "./local_cluster.ts";
export * from "./bench.ts";
