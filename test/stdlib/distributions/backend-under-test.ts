/** Which tfjs backend the conformance suite runs on; each including test file sets it. */
let backend: "wasm" | "cpu" = "wasm";
export const backendUnderTest = (): "wasm" | "cpu" => backend;
export function useBackend(b: "wasm" | "cpu"): void {
  backend = b;
}
