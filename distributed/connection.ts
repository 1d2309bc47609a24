/**
 * Connecting to NATS and making sure the shared JetStream objects exist: the chunk work queue, the
 * workers' durable pull consumer and the result bucket. Connection settings come from flags or the
 * environment only (`DIP_NATS_URL`, `DIP_NATS_CREDS`, `DIP_NATS_TLS_CA`, `DIP_NATS_TLS_CERT`,
 * `DIP_NATS_TLS_KEY`); nothing secret lives in code or config files.
 *
 * @module
 */
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  type ConsumerInfo,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { DistributedError } from "./errors.ts";
import { CHUNK_STREAM, CHUNK_SUBJECT_PREFIX, RESULT_BUCKET, WORKER_CONSUMER } from "./protocol.ts";

/** How to reach the NATS server. */
export interface NatsOptions {
  /** Server URL, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** A NATS `.creds` file (JWT + NKey seed). */
  readonly credsFile?: string;
  /** TLS: CA certificate file. */
  readonly tlsCaFile?: string;
  /** TLS: client certificate file (with `tlsKeyFile`). */
  readonly tlsCertFile?: string;
  /** TLS: client key file. */
  readonly tlsKeyFile?: string;
}

/** Environment variables read by {@linkcode resolveNatsOptions}. */
export const NATS_ENV = {
  url: "DIP_NATS_URL",
  credsFile: "DIP_NATS_CREDS",
  tlsCaFile: "DIP_NATS_TLS_CA",
  tlsCertFile: "DIP_NATS_TLS_CERT",
  tlsKeyFile: "DIP_NATS_TLS_KEY",
} as const;

/**
 * Merges flags over the environment: a flag wins, then `DIP_NATS_*`. The URL must be a
 * `nats://` or `tls://` URL with a host.
 *
 * @example Usage
 * ```ts
 * import { resolveNatsOptions } from "./connection.ts";
 * import assert from "node:assert/strict";
 * const options = resolveNatsOptions({}, { DIP_NATS_URL: "nats://127.0.0.1:4222" });
 * assert.equal(options.url, "nats://127.0.0.1:4222");
 * assert.throws(() => resolveNatsOptions({ url: "http://x" }, {}), /--nats/);
 * ```
 *
 * @param flags Values from the command line (`undefined` when not given).
 * @param env The environment (default `Deno.env`).
 * @returns The options.
 * @throws {DistributedError} (`code` "config") for a missing or bad URL.
 */
export function resolveNatsOptions(
  flags: Partial<Record<keyof NatsOptions, string | undefined>>,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): NatsOptions {
  const pick = (key: keyof NatsOptions) => flags[key] ?? (env[NATS_ENV[key]] || undefined);
  const url = pick("url");
  if (url === undefined) {
    throw new DistributedError(
      "config",
      `--nats: must give the server URL (or set ${NATS_ENV.url}), got nothing`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DistributedError("config", `--nats: must be a URL like nats://127.0.0.1:4222, got "${url}"`);
  }
  if ((parsed.protocol !== "nats:" && parsed.protocol !== "tls:") || parsed.hostname === "") {
    throw new DistributedError(
      "config",
      `--nats: must be a nats:// or tls:// URL with a host, got "${redactUrl(url)}"`,
    );
  }
  if ((pick("tlsCertFile") === undefined) !== (pick("tlsKeyFile") === undefined)) {
    throw new DistributedError("config", "--nats-tls-cert and --nats-tls-key: give both or neither");
  }
  return {
    url,
    credsFile: pick("credsFile"),
    tlsCaFile: pick("tlsCaFile"),
    tlsCertFile: pick("tlsCertFile"),
    tlsKeyFile: pick("tlsKeyFile"),
  };
}

/**
 * A URL without its user and password, for messages and logs.
 *
 * @example Usage
 * ```ts
 * import { redactUrl } from "./connection.ts";
 * import assert from "node:assert/strict";
 * assert.equal(redactUrl("nats://me:secret@127.0.0.1:4222"), "nats://***@127.0.0.1:4222");
 * ```
 *
 * @param url The URL.
 * @returns The URL without credentials.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1***@");
}

/** Reconnect behaviour of {@linkcode connectNats}. */
export interface ConnectBehaviour {
  /** Names the connection in the server's monitoring. */
  readonly name: string;
  /** Wait between reconnect attempts, ms. Default 500. */
  readonly reconnectTimeWaitMs?: number;
}

/**
 * Connects, reconnecting forever after a loss (the callers decide how long a loss may last).
 *
 * @example Usage
 * ```ts ignore
 * const nc = await connectNats(resolveNatsOptions({ url: "nats://127.0.0.1:4222" }), { name: "me" });
 * await nc.close();
 * ```
 *
 * @param options Where and how.
 * @param behaviour Connection name and reconnect wait.
 * @returns The connection.
 * @throws {DistributedError} (`code` "server_lost") when the first connection fails, naming the URL.
 */
export async function connectNats(
  options: NatsOptions,
  behaviour: ConnectBehaviour,
): Promise<NatsConnection> {
  const tls = options.tlsCaFile || options.tlsCertFile || options.url.startsWith("tls:")
    ? { caFile: options.tlsCaFile, certFile: options.tlsCertFile, keyFile: options.tlsKeyFile }
    : undefined;
  let authenticator;
  if (options.credsFile) {
    let creds: Uint8Array;
    try {
      creds = await Deno.readFile(options.credsFile);
    } catch (error) {
      throw new DistributedError(
        "config",
        `--nats-creds: cannot read "${options.credsFile}": ${(error as Error).message}`,
      );
    }
    authenticator = credsAuthenticator(creds);
  }
  try {
    return await connect({
      servers: options.url.replace(/^tls:/, "nats:"),
      name: behaviour.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: behaviour.reconnectTimeWaitMs ?? 500,
      authenticator,
      tls,
    });
  } catch (error) {
    throw new DistributedError(
      "server_lost",
      `cannot connect to the NATS server ${redactUrl(options.url)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Settings of the shared JetStream objects. */
export interface InfrastructureOptions {
  /** How long a worker may hold a chunk without acking or reporting progress, ms. */
  readonly ackWaitMs: number;
  /** Deliveries after which a chunk has failed. */
  readonly maxDeliver: number;
  /** Window in which a message id is remembered (dedupe of republished chunks), ms. */
  readonly duplicateWindowMs: number;
}

/** Defaults of {@linkcode InfrastructureOptions}. */
export const INFRASTRUCTURE_DEFAULTS: InfrastructureOptions = Object.freeze({
  ackWaitMs: 30_000,
  maxDeliver: 5,
  duplicateWindowMs: 10 * 60_000,
});

/** Abandoned chunks and results expire after this. */
const RETENTION_MS = 24 * 3600_000;
const nanos = (ms: number) => Math.round(ms * 1e6);

/** The shared objects, from {@linkcode ensureInfrastructure}. */
export interface Infrastructure {
  readonly jsm: JetStreamManager;
  readonly results: KV;
  /** The consumer's settings as they are on the server now. */
  readonly consumer: ConsumerInfo;
}

/**
 * Creates the chunk stream, the workers' consumer and the result bucket when missing. With
 * `update` (the coordinator), also sets the consumer's ack wait and max deliveries and the
 * stream's duplicate window to `options`; without it (a worker), leaves existing settings alone.
 *
 * @example Usage
 * ```ts ignore
 * const { results, consumer } = await ensureInfrastructure(nc, INFRASTRUCTURE_DEFAULTS, true);
 * ```
 *
 * @param nc The connection.
 * @param options The settings.
 * @param update Whether to change existing settings.
 * @returns The manager, the bucket and the consumer's info.
 */
export async function ensureInfrastructure(
  nc: NatsConnection,
  options: InfrastructureOptions,
  update: boolean,
): Promise<Infrastructure> {
  const jsm = await jetstreamManager(nc);
  const streamConfig = {
    name: CHUNK_STREAM,
    subjects: [`${CHUNK_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_age: nanos(RETENTION_MS),
    duplicate_window: nanos(options.duplicateWindowMs),
  };
  const stream = await jsm.streams.info(CHUNK_STREAM).catch(() => undefined);
  if (!stream) {
    await jsm.streams.add(streamConfig).catch(async (error) => {
      // Another process created it between our look-up and our add.
      if (!(await jsm.streams.info(CHUNK_STREAM).catch(() => undefined))) throw error;
    });
  } else if (update && stream.config.duplicate_window !== streamConfig.duplicate_window) {
    await jsm.streams.update(CHUNK_STREAM, { duplicate_window: streamConfig.duplicate_window });
  }
  const wanted = { ack_wait: nanos(options.ackWaitMs), max_deliver: options.maxDeliver };
  let consumer = await jsm.consumers.info(CHUNK_STREAM, WORKER_CONSUMER).catch(() => undefined);
  if (!consumer) {
    consumer = await jsm.consumers.add(CHUNK_STREAM, {
      durable_name: WORKER_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${CHUNK_SUBJECT_PREFIX}.>`,
      ...wanted,
    }).catch(async (error) => {
      const existing = await jsm.consumers.info(CHUNK_STREAM, WORKER_CONSUMER).catch(() => undefined);
      if (!existing) throw error;
      return existing;
    });
  }
  if (
    update &&
    (consumer.config.ack_wait !== wanted.ack_wait || consumer.config.max_deliver !== wanted.max_deliver)
  ) {
    consumer = await jsm.consumers.update(CHUNK_STREAM, WORKER_CONSUMER, wanted);
  }
  const kvm = new Kvm(nc);
  const results = await kvm.create(RESULT_BUCKET, {
    history: 1,
    ttl: RETENTION_MS,
    storage: StorageType.File,
  })
    .catch(() => kvm.open(RESULT_BUCKET));
  return { jsm, results, consumer };
}

/** The advisory subject of chunks that ran out of deliveries. */
export const MAX_DELIVERIES_ADVISORY =
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${CHUNK_STREAM}.${WORKER_CONSUMER}`;
