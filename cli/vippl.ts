#!/usr/bin/env node
import { run } from "./main.js";

const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && !process.argv.includes("--no-color");
const argv = process.argv.slice(2).filter((a) => a !== "--no-color");
run(argv, {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  color,
  isTTY: Boolean(process.stderr.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error[PPL9001]: internal error: ${e instanceof Error ? e.message : String(e)}\n  = help: this is a bug in vippl; please report it\n`);
    process.exitCode = 70;
  },
);
