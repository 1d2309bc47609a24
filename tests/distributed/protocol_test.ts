/** The wire protocol and hashes, without a server. */
import assert from "node:assert/strict";
import { loadConfig } from "../../config/mod.ts";
import {
  canonicalJson,
  checkRunId,
  type ChunkMessage,
  configHash,
  decodeNumbers,
  DistributedError,
  encodeCosts,
  encodeNumbers,
  parseChunk,
  parseResult,
  redactUrl,
  resolveNatsOptions,
  sha256Hex,
} from "../../distributed/mod.ts";

const bytes = (x: Float64Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Doubles from random bit patterns (every exponent, subnormals included) plus the edge cases. */
function awkwardDoubles(n: number): Float64Array {
  const out = new Float64Array(n + 8);
  const view = new DataView(out.buffer);
  let state = 0x9e3779b9;
  const next = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
  for (let i = 0; i < n; i++) {
    do {
      view.setUint32(i * 8, next(), true);
      view.setUint32(i * 8 + 4, next(), true);
    } while (!Number.isFinite(out[i]));
  }
  out.set(
    [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, 2.2250738585072014e-308],
    n,
  );
  return out;
}

Deno.test("encodeNumbers() and decodeNumbers() carry every finite double bit for bit through JSON", () => {
  const x = awkwardDoubles(5000);
  const back = decodeNumbers(JSON.parse(JSON.stringify(encodeNumbers(x))), x.length, "x");
  assert.deepStrictEqual(bytes(back), bytes(x));
  // The variant that must fail: plain JSON turns -0 into 0, which is why "-0" travels as a string.
  const naive = Float64Array.from(JSON.parse(JSON.stringify(Array.from(x))));
  assert.notDeepStrictEqual(bytes(naive), bytes(x));
});

Deno.test("encodeNumbers() refuses a non-finite value, naming its index", () => {
  assert.throws(() => encodeNumbers([1, NaN]), /value 1: must be finite to travel, got NaN/);
});

Deno.test("encodeCosts() sends failed and non-finite costs as null, which parseResult() turns back into NaN", () => {
  const wire = encodeCosts(Float64Array.of(2.5, NaN, Infinity, -0));
  assert.deepStrictEqual(wire, [2.5, null, null, "-0"]);
  const expected = {
    run: "r1",
    iteration: 4,
    chunk: 2,
    count: 4,
    configHash: "a".repeat(64),
    positionsHash: "b".repeat(64),
  };
  const parsed = parseResult(
    encode({ v: 1, ...expected, worker: "w1", costs: wire, failures: 1, elapsedMs: 3 }),
    expected,
  );
  assert.ok(parsed.ok);
  assert.deepStrictEqual(bytes(parsed.costs), bytes(Float64Array.of(2.5, NaN, NaN, -0)));
  assert.equal(parsed.failures, 1);
});

function goodChunk(): ChunkMessage {
  return {
    v: 1,
    run: "r1",
    iteration: 0,
    chunk: 1,
    chunks: 2,
    maxDeliver: 3,
    ackWaitMs: 1000,
    configHash: "c".repeat(64),
    setupHash: "d".repeat(64),
    controllerType: "sta_smc",
    seed: 7,
    scenarioCount: 2,
    dims: 2,
    count: 2,
    positions: [1, 2, "-0", 4],
    positionsHash: "e".repeat(64),
  };
}

Deno.test("parseChunk() accepts a well-formed chunk and decodes its positions", () => {
  const { chunk, positions } = parseChunk(encode(goodChunk()));
  assert.equal(chunk.run, "r1");
  assert.deepStrictEqual(bytes(positions), bytes(Float64Array.of(1, 2, -0, 4)));
});

Deno.test("parseChunk() rejects a malformed chunk, naming the field", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ v: 2 }, /chunk\.v: must be 1, got 2/],
    [{ run: "a.b" }, /chunk\.run: must be a run id/],
    [{ chunk: 2 }, /chunk\.chunk: must be below chunks \(2\)/],
    [{ count: 0 }, /chunk\.count: must be an integer ≥ 1/],
    [{ configHash: "xyz" }, /chunk\.configHash: must be 64 hex digits/],
    [{ positions: [1, 2, 3] }, /chunk\.positions: must be an array of 4 numbers/],
    [{ positions: [1, 2, 3, "NaN"] }, /chunk\.positions\[3\]: must be a finite number, got "NaN"/],
    [{ fitness: { sha256: "f".repeat(64), export: "", name: "x.ts" } }, /chunk\.fitness\.export/],
  ];
  for (const [change, pattern] of cases) {
    assert.throws(() => parseChunk(encode({ ...goodChunk(), ...change })), (error: unknown) => {
      assert.ok(error instanceof DistributedError && error.code === "malformed", String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }
  assert.throws(() => parseChunk(new TextEncoder().encode("[1]")), /chunk: must be a JSON object/);
});

Deno.test("parseResult() rejects a result that does not answer its chunk", () => {
  const expected = {
    run: "r1",
    iteration: 3,
    chunk: 0,
    count: 2,
    configHash: "a".repeat(64),
    positionsHash: "b".repeat(64),
  };
  const good = { v: 1, ...expected, worker: "w9", costs: [1, 2], failures: 0, elapsedMs: 1 };
  assert.ok(parseResult(encode(good), expected).ok);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ iteration: 2 }, /from w9: iteration must be 3, got 2/],
    [{ chunk: 1 }, /chunk must be 0, got 1/],
    [{ configHash: "c".repeat(64) }, /configHash must be/],
    [{ costs: [1] }, /costs must be an array of 2 costs/],
    [{ costs: [1, "2"] }, /costs\[1\] must be a finite number or null, got "2"/],
    [{ costs: [null, 2], failures: 2 }, /failures must be an integer in \[0, 1\]/],
    [{ v: 0 }, /v must be 1/],
  ];
  for (const [change, pattern] of cases) {
    assert.throws(() => parseResult(encode({ ...good, ...change }), expected), (error: unknown) => {
      assert.ok(error instanceof DistributedError && error.code === "invalid_result", String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }
  const record = parseResult(
    encode({ ...good, costs: undefined, error: "boom", errorKind: "refused" }),
    expected,
  );
  assert.deepStrictEqual(record, { ok: false, worker: "w9", error: "boom", errorKind: "refused" });
});

Deno.test("configHash() depends on the config's values, not on its key order", () => {
  const config = loadConfig();
  const reordered = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
  assert.equal(configHash(reordered), configHash(config));
  assert.notEqual(configHash({ ...config, global_seed: config.global_seed + 1 }), configHash(config));
  assert.equal(canonicalJson({ b: [1, { y: 2, x: 1 }], a: null }), '{"a":null,"b":[1,{"x":1,"y":2}]}');
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

Deno.test("resolveNatsOptions() takes flags over the environment and rejects a bad URL with the flag's name", () => {
  const env = { DIP_NATS_URL: "nats://127.0.0.2:4222", DIP_NATS_CREDS: "/etc/dip.creds" };
  assert.deepStrictEqual(resolveNatsOptions({ url: "nats://127.0.0.1:4333" }, env), {
    url: "nats://127.0.0.1:4333",
    credsFile: "/etc/dip.creds",
    tlsCaFile: undefined,
    tlsCertFile: undefined,
    tlsKeyFile: undefined,
  });
  assert.equal(resolveNatsOptions({}, env).url, "nats://127.0.0.2:4222");
  assert.throws(() => resolveNatsOptions({}, {}), /--nats: must give the server URL \(or set DIP_NATS_URL\)/);
  assert.throws(
    () => resolveNatsOptions({ url: "http://127.0.0.1" }, {}),
    /must be a nats:\/\/ or tls:\/\/ URL/,
  );
  assert.throws(
    () => resolveNatsOptions({ url: "nats://127.0.0.1:1", tlsCertFile: "c.pem" }, {}),
    /--nats-tls-cert and --nats-tls-key: give both or neither/,
  );
  assert.equal(redactUrl("tls://user:pw@host:4222"), "tls://***@host:4222");
});

Deno.test("checkRunId() accepts subject-safe ids only", () => {
  assert.equal(checkRunId("run_1-a"), "run_1-a");
  for (const bad of ["", "a b", "a.b", "a*", "x".repeat(65)]) assert.throws(() => checkRunId(bad), /run id/);
});
