/** Generated models for the front-end benchmark and the robustness tests. */

/**
 * A model with `statements` statements: a Markov chain of latents (each prior reads the `let`
 * computed from the one before, as in a state-space model), ending in an observed vector, so
 * the graph has real edges and local Markov blankets.
 */
export function generatedModel(statements: number): string {
  const lines: string[] = ["model Generated {", "  data N: int<lower=1>", "  data y: real[N]"];
  let count = 2;
  let i = 0;
  while (count + 4 <= statements) {
    lines.push(`  latent a${i}: real`);
    lines.push(`  a${i} ~ Normal(${i === 0 ? "0" : `b${i - 1}`}, 1)`);
    lines.push(`  latent s${i}: real<lower=0>`);
    lines.push(`  s${i} ~ Gamma(2, 2)`);
    count += 4;
    if (count + 1 <= statements) {
      lines.push(`  let b${i} = a${i} * 0.5 + exp(-s${i})`);
      count += 1;
    }
    i++;
  }
  lines.push(`  y ~ Normal(${i > 0 ? `b${i - 1}` : "0"}, 1)`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
