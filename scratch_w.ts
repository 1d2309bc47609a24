const which = Deno.args[0];
const base = which === "main" ? "/work/main" : "/work/wt/lqr";
const { WorkerPool, TUNER_WORKER_URL } = await import(`${base}/optimizer/mod.ts`);
const { allReady } = await import(`${base}/tests/concurrent/helpers.ts`);
const t0 = performance.now();
const pool = new WorkerPool({ moduleUrl: TUNER_WORKER_URL, size: 4, name: "t" });
await allReady(pool, 60000);
console.log(which, `4 workers ready in ${(performance.now() - t0).toFixed(0)} ms`);
await pool.close();
