import assert from "assert";
import fc from "fast-check";
import { optimize, ParticleSwarm, type PSOOptions } from "../../optimizer/mod.ts";

/** Random boxes, from unit-sized to tiny ranges far from zero (where rounding bites), in 1–4 dimensions. */
const boxArb = fc
  .array(
    fc.record({
      lo: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, -1, 1, 1e9, -1e9)),
      width: fc.oneof(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.constantFrom(1, 1e-3, 2e-7)),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((dims) => ({ lower: dims.map((d) => d.lo), upper: dims.map((d) => d.lo + d.width) }))
  .filter(({ lower, upper }) => lower.every((l, j) => l < upper[j]));

/** Options that include unstable parameters, so particles keep trying to leave the box. */
const optionsArb = fc.record({
  seed: fc.integer({ min: -1000, max: 1_000_000 }),
  swarmSize: fc.integer({ min: 1, max: 12 }),
  maxIterations: fc.integer({ min: 1, max: 15 }),
  boundHandling: fc.constantFrom("clip", "reflect", "random", "periodic" as const),
  topology: fc.constantFrom("global", "ring" as const),
  velocityClamp: fc.constantFrom(0.1, 0.5, 1, 3, Infinity),
  w: fc.double({ min: -1.2, max: 1.5, noNaN: true }),
  c1: fc.double({ min: 0, max: 4, noNaN: true }),
  c2: fc.double({ min: 0, max: 4, noNaN: true }),
});

/** An objective that rewards the corners (pushing particles outward), with some failures mixed in. */
function outward(lower: number[], upper: number[]): (x: ArrayLike<number>) => number {
  return (x) => {
    let s = 0;
    for (let j = 0; j < x.length; j++) {
      const z = (x[j] - lower[j]) / (upper[j] - lower[j]) - 0.5;
      s -= z * z + 0.1 * Math.sin(40 * z);
    }
    return s;
  };
}

Deno.test("optimize() never evaluates a particle outside the bounds, in every bound-handling mode", async () => {
  await fc.assert(
    fc.asyncProperty(boxArb, optionsArb, async (bounds, opts) => {
      const f = outward(bounds.lower, bounds.upper);
      const outside: string[] = [];
      const result = await optimize((x) => {
        for (let j = 0; j < x.length; j++) {
          if (!(x[j] >= bounds.lower[j] && x[j] <= bounds.upper[j])) {
            outside.push(`x[${j}] = ${x[j]} outside [${bounds.lower[j]}, ${bounds.upper[j]}]`);
          }
        }
        return f(x);
      }, { ...bounds, ...opts, onWarning: () => {} });
      assert.deepStrictEqual(outside, []);
      for (const row of result.finalSwarm.positions) {
        row.forEach((x, j) => assert.ok(x >= bounds.lower[j] && x <= bounds.upper[j]));
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("optimize() keeps f(bestPosition) === bestCost and a monotone best history", async () => {
  await fc.assert(
    fc.asyncProperty(
      boxArb,
      optionsArb,
      fc.double({ min: 0, max: 1, noNaN: true }),
      async (bounds, opts, failRate) => {
        const base = outward(bounds.lower, bounds.upper);
        // Deterministic failures: a position fails when a hash of it falls below failRate.
        const f = (x: ArrayLike<number>) => {
          const h = Math.abs(Math.sin(x[0] * 12.9898 + 78.233)) % 1;
          if (h < failRate / 2) throw new Error("failed evaluation");
          if (h < failRate) return NaN;
          return base(x);
        };
        const result = await optimize(f, { ...bounds, ...opts, onWarning: () => {} });
        const best = result.history.best;
        for (let k = 1; k < best.length; k++) assert.ok(best[k] <= best[k - 1]);
        assert.equal(best.at(-1), result.bestCost);
        assert.ok(result.evaluations <= result.iterations * opts.swarmSize);
        let direct: number;
        try {
          direct = f(result.bestPosition);
        } catch {
          direct = NaN;
        }
        if (result.bestCost === 1e10) assert.ok(!Number.isFinite(direct) || direct === 1e10);
        else assert.equal(direct, result.bestCost);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("optimize() is deterministic for a seed and independent of how the batch is evaluated", async () => {
  await fc.assert(
    fc.asyncProperty(
      boxArb,
      optionsArb,
      fc.integer({ min: 0, max: 2 ** 31 }),
      async (bounds, opts, shuffleSeed) => {
        const f = outward(bounds.lower, bounds.upper);
        const options: PSOOptions = { ...bounds, ...opts, onWarning: () => {} };
        const a = await optimize(f, options);
        const b = await optimize(f, options);
        assert.deepStrictEqual(b, a);
        let state = shuffleSeed;
        const batched = await optimize({
          batch(positions, count, dims) {
            const out = new Float64Array(count);
            // Evaluate in a scrambled (LCG-driven) order; return in order.
            const order = Array.from({ length: count }, (_, i) => i);
            for (let i = count - 1; i > 0; i--) {
              state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
              const j = state % (i + 1);
              [order[i], order[j]] = [order[j], order[i]];
            }
            for (const i of order) out[i] = f(positions.subarray(i * dims, (i + 1) * dims));
            return out;
          },
        }, options);
        assert.deepStrictEqual(batched, a);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("ParticleSwarm.fromState() at any iteration resumes to the uninterrupted result", async () => {
  await fc.assert(
    fc.asyncProperty(
      boxArb,
      optionsArb,
      fc.nat({ max: 15 }),
      fc.boolean(),
      async (bounds, opts, cut, afterAsk) => {
        const f = outward(bounds.lower, bounds.upper);
        const options: PSOOptions = {
          ...bounds,
          ...opts,
          onWarning: () => {},
          isFeasible: (x) => x[0] <= bounds.upper[0] - 0.1 * (bounds.upper[0] - bounds.lower[0]),
        };
        const expected = await optimize(f, options);
        const n = opts.swarmSize, d = bounds.lower.length;
        const costs = new Float64Array(n);
        const step = (swarm: ParticleSwarm) => {
          const x = swarm.ask();
          for (let i = 0; i < n; i++) costs[i] = f(x.subarray(i * d, (i + 1) * d));
          swarm.tell(costs);
        };
        let swarm = new ParticleSwarm(options);
        for (let k = 0; k < cut && !swarm.done; k++) step(swarm);
        if (afterAsk && !swarm.done) swarm.ask();
        swarm = ParticleSwarm.fromState(JSON.parse(JSON.stringify(swarm.getState())), options);
        while (!swarm.done) step(swarm);
        assert.deepStrictEqual(swarm.result(), expected);
      },
    ),
    { numRuns: 150 },
  );
});
