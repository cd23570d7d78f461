/** The distribution conformance table on the wasm backend (the default). */
import { useBackend } from "./backend-under-test.js";
import "./conformance.suite.js";

useBackend("wasm");
