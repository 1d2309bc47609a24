/**
 * A property test of the config's error messages (config/schema.ts): any single value of the shipped
 * config replaced by an arbitrary one is answered in the project's message style, never with a raw
 * zod message.
 */
import assert from "assert";
import fc from "fast-check";
import { ConfigError, validateConfig } from "../../config/mod.ts";
import { raw } from "./helpers.ts";

/** Every leaf and mapping of a value, as dot-path segments. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (typeof value === "object" && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  }
  return here;
}

Deno.test("validateConfig() answers any single replaced value in the project's message style", () => {
  const paths = pathsOf(raw());
  const values = fc.oneof(
    fc.double(),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.string({ maxLength: 8 }),
    fc.constantFrom(null, true, false, [], {}, [1, 2], { kind: "impulse" }, -1, 0, 1e300),
  );
  // Every message says what was given ("got …", or the samples a run asks for) or is one of the
  // structural messages.
  const style = /got |^\S+ s at dt \S+ asks for |^missing required key$|^unknown key; allowed: /;
  fc.assert(
    fc.property(fc.constantFrom(...paths), values, (path, value) => {
      const config = raw();
      let node = config as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]] = value;
      try {
        validateConfig(config, { env: {}, onWarning: () => {} });
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        for (const issue of error.issues) {
          assert.match(issue.message, style, `${issue.path}: ${issue.message}`);
          assert.doesNotMatch(issue.message, /Invalid input|expected [a-z]+, received/, issue.message);
        }
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});
