/**
 * YAML parse errors as configuration issues: one line each, with the line and column, and a
 * duplicate key at its own dot-path.
 *
 * @module
 */
import { type Document, isMap, isScalar, isSeq, type Node, type YAMLError, type YAMLWarning } from "yaml";
import { childPath, type ConfigIssue, ROOT_PATH } from "./errors.ts";

/**
 * The first line of a YAML error or warning.
 *
 * With prettyErrors the message is "<what> at line L, column C:\n\n<source excerpt>"; keeping the
 * first line keeps each problem on one line of the ConfigError message.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDocument } from "yaml";
 * import { yamlMessage } from "./yaml_issues.ts";
 * const doc = parseDocument("a: [1, 2");
 * assert.ok(!yamlMessage(doc.errors[0]).includes("\n"));
 * ```
 *
 * @param error The YAML error or warning.
 * @returns Its first line, without a trailing colon.
 */
export function yamlMessage(error: YAMLError | YAMLWarning): string {
  return error.message.split("\n")[0].replace(/:$/, "");
}

/** Dot-path of the map key starting at `offset`, for a duplicate-key error. */
function keyPathAt(node: Node | null | undefined, offset: number, path: string): string | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const here = childPath(path, key);
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return here;
      const inner = keyPathAt(pair.value as Node | null, offset, here);
      if (inner !== undefined) return inner;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = keyPathAt(item as Node | null, offset, `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/**
 * The errors of a parsed document as issues: a duplicate key at its dot-path, anything else at
 * `<root>` as `invalid YAML: …`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDocument } from "yaml";
 * import { yamlIssues } from "./yaml_issues.ts";
 * const doc = parseDocument("a:\n  b: 1\n  b: 2\n", { uniqueKeys: true });
 * assert.equal(yamlIssues(doc)[0].path, "a.b");
 * ```
 *
 * @param doc A document parsed with `uniqueKeys: true`.
 * @returns One issue per error.
 */
export function yamlIssues(doc: Document.Parsed): ConfigIssue[] {
  return doc.errors.map((e) => {
    if (e.code === "DUPLICATE_KEY") {
      const at = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : "";
      const path = keyPathAt(doc.contents, e.pos[0], "");
      if (path !== undefined) return { path, message: `duplicate key${at}` };
    }
    return { path: ROOT_PATH, message: `invalid YAML: ${yamlMessage(e)}` };
  });
}
