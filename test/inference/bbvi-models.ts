/** A model small enough to enumerate: one Categorical c, three Bernoulli z, Normal data (shared by the bbvi tests). */
export const TINY = `
model Tiny {
  data N: int<lower=1>
  data y: real[N]
  latent c: int<lower=0, upper=2>
  latent z: bool[N]
  c ~ Categorical([0.2, 0.3, 0.5])
  z ~ Bernoulli(0.4)
  y ~ Normal(z * (c + 1.0), 0.8)
}`;
export const DATA = { N: 3, y: [0.3, 2.2, 1.1] };
