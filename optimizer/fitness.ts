/**
 * Custom fitness references: a module URL and an export name, which Workers (and, with
 * `numWorkers: 0`, the main thread) import and call per particle.
 *
 * @module
 */

/** A custom fitness that is imported: `export(gains: number[]) => number | Promise<number>`. */
export interface FitnessReference {
  readonly module: string;
  readonly export: string;
}

/** The function a {@linkcode FitnessReference} names. */
export type FitnessFunction = (gains: number[]) => number | Promise<number>;

/**
 * Imports the function a fitness reference names.
 *
 * @example Usage
 * ```ts
 * import { importFitness } from "./fitness.ts";
 * const source = "export const sum = (g) => g.reduce((a, b) => a + b, 0);";
 * const module = `data:text/javascript,${encodeURIComponent(source)}`;
 * const fitness = await importFitness({ module, export: "sum" });
 * console.log(await fitness([1, 2, 3])); // 6
 * ```
 *
 * @param ref Module URL and export name.
 * @returns The exported function.
 * @throws {TypeError} When the export is missing or not a function, naming what it was.
 */
export async function importFitness(ref: FitnessReference): Promise<FitnessFunction> {
  const mod = await import(ref.module) as Record<string, unknown>;
  const candidate = mod[ref.export];
  if (typeof candidate !== "function") {
    throw new TypeError(
      `fitness ${ref.module}#${ref.export}: the module has no function export "${ref.export}", got ${typeof candidate}`,
    );
  }
  return candidate as FitnessFunction;
}
