// After tsc: make the CLI entry executable so `npx vippl` and the npm bin link run it directly.
import { chmodSync, existsSync } from "node:fs";
const bin = "dist/cli/vippl.js";
if (existsSync(bin)) chmodSync(bin, 0o755);
