/**
 * Reading a data file from disk (Node): `.json`, `.csv` or `.tsv`, parsed by parse.ts. A missing
 * or unreadable file is a diagnostic, never a thrown error. In a browser, read the text yourself
 * and call `parseData`.
 */
import { readFileSync } from "node:fs";
import type { PhaseResult, SourceFile } from "../lang.js";
import { dataFileUnreadable } from "./errors.js";
import { type DataFormat, type LoadedData, parseData } from "./parse.js";

export function loadDataFile(path: string, format?: DataFormat): PhaseResult<LoadedData> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason = code === "ENOENT" ? "missing" : code === "EISDIR" ? "directory" : "other";
    return { diagnostics: [dataFileUnreadable(path, reason, e instanceof Error ? e.message : String(e))] };
  }
  // A byte-order mark is not part of the data.
  const file: SourceFile = { name: path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  return format ? parseData(file, format) : parseData(file);
}
