/**
 * Kernel overrides for the wasm backend.
 *
 * Identity: tfjs clones every tensor a gradient will need while a gradient is being recorded
 * (engine.saveTensorsForBackwardMode), and wasm's Identity copies the buffer into a fresh
 * allocation. Tensors are immutable and no wasm kernel writes into its inputs, so an alias of the
 * same buffer with its reference count raised (what Reshape does on wasm, and Identity on the cpu
 * backend) is equivalent and avoids an allocation and a copy: ~70 of the ~250 kernels of a small
 * model's ADVI step.
 */
import * as tf from "@tensorflow/tfjs";

interface RefCountingBackend {
  incRef(dataId: unknown): void;
}

export function registerWasmKernelOverrides(): void {
  const identity: tf.KernelConfig = {
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs["x"] as tf.TensorInfo;
      if (x.dtype === "string") throw new Error("internal: string tensors are not used by vippl");
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
  if (tf.getKernel("Identity", "wasm")) tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel(identity);
}
