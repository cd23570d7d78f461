// Builds the small data files shipped beside the examples from ../shared (run once by a developer;
// the shipped files are committed so the examples work on a fresh clone without ../shared).
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

const shared = process.argv[2] ?? "../shared";
const out = "examples";
const write = (name, obj) => writeFileSync(join(out, `${name}.data.json`), JSON.stringify(obj) + "\n");
const dropTruth = (d) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith("_")));

for (const m of ["coin", "normal_gamma", "linreg", "logreg", "eight_schools", "gmm"]) {
  write(m, dropTruth(JSON.parse(readFileSync(join(shared, "bench/data", `${m}.json`), "utf8"))));
}

// bnn: the 1-D regression set of the Bayes-by-Backprop benchmark, x as an N x 1 matrix.
const bbb = JSON.parse(readFileSync(join(shared, "bench/data/bbb.json"), "utf8"));
write("bnn", { N: bbb.N, x: bbb.x.map((v) => [v]), y: bbb.y, noise_sd: bbb.noise_sd });

// vae: the first 200 images of the statically binarised MNIST training set (Larochelle & Murray).
const amat = gunzipSync(readFileSync(join(shared, "data/binarized_mnist/binarized_mnist_train.amat.gz"))).toString("utf8");
const rows = amat.split("\n").filter((l) => l.trim()).slice(0, 200).map((l) => l.trim().split(/\s+/).map(Number));
write("vae", { N: rows.length, D: rows[0].length, x: rows });

// cvae: the first 200 MNIST test images, thresholded at 128, with their labels.
const img = gunzipSync(readFileSync(join(shared, "data/mnist/t10k-images-idx3-ubyte.gz")));
const lab = gunzipSync(readFileSync(join(shared, "data/mnist/t10k-labels-idx1-ubyte.gz")));
const n = 200, D = 784;
const x = [], label = [];
for (let i = 0; i < n; i++) {
  const row = [];
  for (let j = 0; j < D; j++) row.push(img[16 + i * D + j] >= 128 ? 1 : 0);
  x.push(row);
  label.push(lab[8 + i]);
}
write("cvae", { N: n, D, x, label });
