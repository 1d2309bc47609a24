import { loadConfig } from "./config/mod.ts";
import { createPlant } from "./plant/mod.ts";
import { controllability, eigenvalues, linearize, lqr, riccatiResidual } from "./linear/mod.ts";
const cfg = loadConfig("config.yaml", { env: {} });
const plant = createPlant(cfg.physics);
const { A, B } = linearize(plant);
console.log(A.map(r=>r.map(v=>v.toFixed(6)).join(" ")).join("\n"));
console.log(B.map(r=>r[0]));
console.log(eigenvalues(A));
const c = controllability(A, B); console.log(c.rank, c.singularValues);
const diag = (d: number[]) => d.map((q, i) => d.map((_, j) => (i === j ? q : 0)));
for (const [q, r] of [[[10,100,100,1,10,10],0.1],[[1e-3,1e4,1,1e-2,1e3,10],1e-3],[[1e4,1e-3,1e-3,1e4,1e-3,1e-3],1e3],[[1e-3,1e-3,1e-3,1e-3,1e-3,1e-3],1e3],[[1e4,1e4,1e4,1e4,1e4,1e4],1e-3]] as [number[],number][]) {
  const t = performance.now();
  const res = lqr(A, B, diag(q), r);
  console.log(q, r, res.K[0].map(v=>v.toFixed(4)), riccatiResidual(A,B,diag(q),r,res.S), res.E.map(e=>e.re.toFixed(3)+"/"+e.im.toFixed(3)).join(" "), (performance.now()-t).toFixed(1)+"ms");
}
console.log(lqr([[0,1],[0,0]],[[0],[1]],[[1,0],[0,1]],1));
