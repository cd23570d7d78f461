/** The same conformance table on the cpu backend: results must not depend on the backend. */
import { useBackend } from "./backend-under-test.js";
import "./conformance.suite.js";

useBackend("cpu");
