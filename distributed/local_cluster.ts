/**
 * A NATS cluster on this machine, for tests and benchmarks: nats-server with JetStream on
 * 127.0.0.1 (a free port, a temporary store; stopped, restarted and removed on request) and
 * `deno task worker` subprocesses whose output is read line by line. Nothing here listens on or
 * connects to anything but 127.0.0.1.
 *
 * @module
 */

/** Where nats-server is, or `undefined`. */
export const NATS_SERVER: string | undefined = findNatsServer();

function findNatsServer(): string | undefined {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      const path = `${dir}/nats-server`;
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not in this directory */ }
  }
  return undefined;
}

/**
 * A free TCP port on 127.0.0.1 (the listener that found it is closed again).
 *
 * @example Usage
 * ```ts
 * import { freePort } from "./local_cluster.ts";
 * import assert from "node:assert/strict";
 * assert.ok(freePort() > 0);
 * ```
 *
 * @returns The port.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running nats-server. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the process. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store (after `stop()`). */
  restart(): Promise<void>;
  /** Stops it and removes the store. */
  dispose(): Promise<void>;
}

async function waitForPort(port: number, child: Deno.ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  child.status.then(() => exited = true);
  while (performance.now() < deadline) {
    if (exited) throw new Error(`nats-server on port ${port} exited during start-up`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nats-server on port ${port} did not accept connections within ${timeoutMs} ms`);
}

/**
 * Starts nats-server with JetStream on 127.0.0.1, a free port and a new temporary store, and
 * waits until it accepts connections.
 *
 * @example Usage
 * ```ts ignore
 * const server = await startNatsServer();
 * try {
 *   console.log(server.url); // nats://127.0.0.1:<port>
 * } finally {
 *   await server.dispose();
 * }
 * ```
 *
 * @returns The server; `dispose()` it in `finally`.
 * @throws {Error} When nats-server is not installed or does not start within 10 s.
 */
export async function startNatsServer(): Promise<NatsServer> {
  if (!NATS_SERVER) throw new Error("nats-server is not installed (apt-get install -y nats-server)");
  const storeDir = await Deno.makeTempDir({ prefix: "dip-nats-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  const spawn = async () => {
    child = new Deno.Command(NATS_SERVER!, {
      args: ["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", String(port)],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await waitForPort(port, child, 10_000);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running) return;
    try {
      running.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        running.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5000);
    await running.status;
    clearTimeout(timer);
  };
  await spawn();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    restart: spawn,
    async dispose() {
      await stop();
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
  };
}

const REPO = new URL("../", import.meta.url).pathname;
// The script `deno task worker` runs (deno.json), started as a separate process exactly as a user
// starts it: a command line, not an import (nothing of tasks/ is loaded into this module).
const WORKER_TASK = `${REPO}tasks/worker.ts`;

/** A `deno task worker` subprocess. */
export interface WorkerProcess {
  readonly pid: number;
  /** Its worker id, from its "ready" line. */
  readonly id: string;
  /** Every line it printed so far (stdout and stderr). */
  readonly lines: readonly string[];
  /** Resolves with the first line (past or future) that matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal and waits for the exit; returns the exit status. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Starts `deno run -A tasks/worker.ts --nats <url> --heartbeat-ms 250 …` and waits for its
 * "ready" line.
 *
 * @example Usage
 * ```ts ignore
 * const worker = await startWorkerProcess(server.url, ["--concurrency", "1", "--verbose"]);
 * try {
 *   await worker.waitFor(/done chunk/);
 * } finally {
 *   await worker.kill();
 * }
 * ```
 *
 * @param url The server URL.
 * @param extra More flags.
 * @returns The process; `kill()` it in `finally`.
 */
export async function startWorkerProcess(url: string, extra: readonly string[] = []): Promise<WorkerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER_TASK, "--nats", url, "--heartbeat-ms", "250", ...extra],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      rest += text;
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        lines.push(line);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].pattern.test(line)) waiters.splice(i, 1)[0].resolve(line);
        }
      }
    }
    if (rest) lines.push(rest);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let exited = false;
  const status = child.status.then(async (s) => {
    exited = true;
    await pumps;
    return s;
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        pattern,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `worker ${child.pid}: no line matching ${pattern} in ${timeoutMs} ms; output:\n${
              lines.join("\n")
            }`,
          ),
        );
      }, timeoutMs);
      waiters.push(waiter);
      status.then(() => {
        if (waiters.includes(waiter)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(
            new Error(`worker ${child.pid} exited before printing ${pattern}; output:\n${lines.join("\n")}`),
          );
        }
      });
    });
  };
  const kill = async (signal: Deno.Signal = "SIGTERM") => {
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    }
    return await status;
  };
  let ready: string;
  try {
    ready = await waitFor(/^worker \S+ ready/);
  } catch (error) {
    await kill("SIGKILL");
    throw error;
  }
  return { pid: child.pid, id: ready.split(" ")[1], lines, waitFor, kill };
}
