import assert from "assert";
import { Prng, PRNG_ALGORITHM, type PrngState } from "../../random/mod.ts";

/**
 * The first 12 outputs of the reference xoshiro128** (Blackman & Vigna, xoshiro128starstar.c) from
 * the state {1, 2, 3, 4}, and the state after them. Produced with gcc 12 from this program:
 *
 * ```c
 * #include <stdio.h>
 * #include <stdint.h>
 * static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
 * static uint32_t s[4] = {1, 2, 3, 4};
 * uint32_t next(void) {
 *   const uint32_t result = rotl(s[1] * 5, 7) * 9;
 *   const uint32_t t = s[1] << 9;
 *   s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
 *   s[2] ^= t; s[3] = rotl(s[3], 11);
 *   return result;
 * }
 * int main(void) {
 *   for (int i = 0; i < 12; i++) printf("%u,\n", next());
 *   printf("state %u %u %u %u\n", s[0], s[1], s[2], s[3]);
 *   return 0;
 * }
 * ```
 */
const GOLDEN_OUTPUTS = [
  11520,
  0,
  5927040,
  70819200,
  2031721883,
  1637235492,
  1287239034,
  3734860849,
  3729100597,
  4258142804,
  337829053,
  2142557243,
];
const GOLDEN_STATE_AFTER = [732694577, 3850432822, 1098276040, 1542782851];

function draws(rng: Prng, count: number): number[] {
  return Array.from({ length: count }, () => rng.next());
}

Deno.test("Prng matches the reference xoshiro128** outputs", () => {
  const rng = Prng.fromState({ algorithm: PRNG_ALGORITHM, s: [1, 2, 3, 4] });
  assert.deepStrictEqual(Array.from({ length: 12 }, () => rng.nextUint32()), GOLDEN_OUTPUTS);
  assert.deepStrictEqual(rng.state().s, GOLDEN_STATE_AFTER);
});

Deno.test("Prng.next() builds a 53-bit double from two outputs", () => {
  const a = Prng.fromState({ algorithm: PRNG_ALGORITHM, s: [1, 2, 3, 4] });
  const u = a.next();
  assert.equal(u, ((GOLDEN_OUTPUTS[0] >>> 5) * 2 ** 26 + (GOLDEN_OUTPUTS[1] >>> 6)) / 2 ** 53);
  const b = Prng.fromState({ algorithm: PRNG_ALGORITHM, s: [1, 2, 3, 4] });
  b.nextUint32();
  b.nextUint32();
  assert.deepStrictEqual(a.state(), b.state(), "next() consumes exactly two outputs");
});

Deno.test("Prng state round-trips: capture, draw 100, restore, draw the same 100", async (t) => {
  await t.step("with setState()", () => {
    const rng = new Prng(2024);
    draws(rng, 17);
    const saved = rng.state();
    const first = draws(rng, 100);
    rng.setState(saved);
    assert.deepStrictEqual(draws(rng, 100), first);
  });
  await t.step("with fromState() through JSON", () => {
    const rng = new Prng(-5);
    const saved: PrngState = JSON.parse(JSON.stringify(rng.state()));
    const first = draws(rng, 100);
    assert.deepStrictEqual(draws(Prng.fromState(saved), 100), first);
  });
  await t.step("the snapshot is a copy, not a live view", () => {
    const rng = new Prng(1);
    const saved = rng.state();
    const words = [...saved.s];
    rng.next();
    assert.deepStrictEqual(saved.s, words);
  });
});

Deno.test("Prng draws are deterministic per seed and differ across seeds", () => {
  assert.deepStrictEqual(draws(new Prng(42), 50), draws(new Prng(42), 50));
  assert.deepStrictEqual(draws(new Prng(), 5), draws(new Prng(0), 5));
  const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  const firsts = new Set(seeds.map((s) => new Prng(s).state().s.join(",")));
  assert.equal(firsts.size, seeds.length);
});

Deno.test("Prng.next() and uniform() stay in range and look uniform", () => {
  const rng = new Prng(7);
  const n = 200_000;
  const bins = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    bins[Math.floor(u * 10)]++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
  // Chi-square with 9 degrees of freedom: 27.9 is the 0.1 % critical value.
  const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 27.9, `chi2 ${chi2}`);
  for (let i = 0; i < 1000; i++) {
    const x = rng.uniform(-3, 5);
    assert.ok(x >= -3 && x < 5);
    const k = rng.nextInt(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
  }
});

Deno.test("Prng.derive() and split() give independent, reproducible streams", async (t) => {
  await t.step("the same seed and label give the same stream", () => {
    assert.deepStrictEqual(draws(Prng.derive(42, "scenarios"), 20), draws(Prng.derive(42, "scenarios"), 20));
    assert.deepStrictEqual(draws(Prng.derive(42, 3), 20), draws(new Prng(42).split(3), 20));
  });
  await t.step("different labels, seeds or label types give different streams", () => {
    const streams = [
      Prng.derive(42, "scenarios"),
      Prng.derive(42, "physics"),
      Prng.derive(43, "scenarios"),
      Prng.derive(42, 0),
      Prng.derive(42, 1),
      Prng.derive(42, "1"),
      Prng.derive(42, 2 ** 40),
      new Prng(42),
    ];
    const firsts = new Set(streams.map((s) => draws(s, 3).join(",")));
    assert.equal(firsts.size, streams.length);
  });
  await t.step("split() does not advance the parent", () => {
    const a = new Prng(9), b = new Prng(9);
    a.split("child");
    assert.deepStrictEqual(draws(a, 10), draws(b, 10));
  });
  await t.step("a child stream is uncorrelated with its parent", () => {
    const parent = new Prng(5), child = parent.split(0);
    const n = 20_000;
    let sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < n; i++) {
      const x = parent.next(), y = child.next();
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    assert.ok(Math.abs(r) < 0.05, `correlation ${r}`);
  });
});

Deno.test("Prng rejects bad seeds, labels and states with clear errors", async (t) => {
  await t.step("seeds", () => {
    assert.throws(() => new Prng(1.5), {
      name: "RangeError",
      message: "seed: must be a safe integer, got 1.5",
    });
    assert.throws(() => new Prng(2 ** 53), /seed: must be a safe integer, got 9007199254740992/);
    assert.throws(() => new Prng("1" as unknown as number), /seed: must be a safe integer, got "1"/);
  });
  await t.step("labels", () => {
    assert.throws(() => Prng.derive(1, 0.5), /stream label: must be a safe integer, got 0.5/);
    assert.throws(
      () => Prng.derive(1, null as unknown as string),
      /stream label: must be a string or a safe integer, got null/,
    );
  });
  await t.step("nextInt()", () => {
    assert.throws(() => new Prng(1).nextInt(0), /nextInt\(n\): n must be a positive safe integer, got 0/);
  });
  await t.step("states", () => {
    const bad: [unknown, RegExp][] = [
      [null, /PRNG state: must be an object, got null/],
      [
        { algorithm: "mt19937", s: [1, 2, 3, 4] },
        /PRNG state.algorithm: must be "xoshiro128\*\*", got "mt19937"/,
      ],
      [
        { algorithm: PRNG_ALGORITHM, s: [1, 2, 3] },
        /PRNG state.s: must be an array of 4 integers, got an array of length 3/,
      ],
      [
        { algorithm: PRNG_ALGORITHM, s: [1, 2, -3, 4] },
        /PRNG state.s\[2\]: must be an integer in \[0, 2\^32\), got -3/,
      ],
      [{ algorithm: PRNG_ALGORITHM, s: [1, 2 ** 32, 3, 4] }, /PRNG state.s\[1\]: must be an integer/],
      [{ algorithm: PRNG_ALGORITHM, s: [0, 0, 0, 0] }, /PRNG state.s: must not be all zero/],
    ];
    for (const [state, message] of bad) assert.throws(() => Prng.fromState(state as PrngState), message);
  });
});

Deno.test("Prng.reseed() restarts the root stream of a seed in place", async (t) => {
  await t.step("after any draws, the stream is that of a new generator of the seed", () => {
    for (const seed of [0, 1, 42, -7, 2 ** 40 + 3, Number.MIN_SAFE_INTEGER]) {
      const rng = new Prng(123);
      draws(rng, 7);
      rng.split("child");
      rng.reseed(seed);
      assert.deepStrictEqual(rng.state(), new Prng(seed).state(), `seed ${seed}`);
      assert.deepStrictEqual(draws(rng, 20), draws(new Prng(seed), 20), `seed ${seed}`);
    }
  });
  await t.step("a state restored from a snapshot is overwritten too", () => {
    const rng = Prng.fromState({ algorithm: PRNG_ALGORITHM, s: [1, 2, 3, 4] });
    rng.reseed(5);
    assert.notDeepStrictEqual(rng.state().s, [1, 2, 3, 4]);
    assert.equal(rng.next(), new Prng(5).next());
  });
  await t.step("a bad seed is refused and leaves the state as it was", () => {
    const rng = new Prng(8);
    const before = rng.state();
    assert.throws(() => rng.reseed(0.5), {
      name: "RangeError",
      message: "seed: must be a safe integer, got 0.5",
    });
    assert.throws(() => rng.reseed("3" as unknown as number), /seed: must be a safe integer, got "3"/);
    assert.deepStrictEqual(rng.state(), before);
  });
});
