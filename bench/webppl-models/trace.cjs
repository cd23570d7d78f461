#!/usr/bin/env node
// Runs one WebPPL program (webppl@0.9.15 as a library) and writes its ELBO trace with wall-clock
// times: node trace.cjs --program F.wppl --data F.json --out F.json [--seed N] [--max-steps N]
// [--max-seconds S] [--target ELBO] [--window W] [--samples S] [--step-size A] [--webppl DIR].
// It stops at max-steps, at max-seconds, or once the running mean of the last W per-step ELBO
// estimates reaches the target.
'use strict';
const fs = require('fs');
const path = require('path');
const argv = process.argv.slice(2);
const opt = {seed: '1', 'max-steps': '100000', 'max-seconds': '120', target: '-Infinity', window: '20', samples: '1', 'step-size': '0.05'};
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
const WEBPPL = opt.webppl || process.env.WEBPPL_DIR || '/tmp/webppl/node_modules/webppl';
const webppl = require(path.join(WEBPPL, 'src/main.js'));
const wutil = require(path.join(WEBPPL, 'src/util.js'));
const t0 = process.hrtime.bigint();
const compiled = webppl.compile(fs.readFileSync(opt.program, 'utf8'), {filename: path.basename(opt.program)});
const compileS = Number(process.hrtime.bigint() - t0) / 1e9;
const trace = [];
const times = [];
const target = Number(opt.target);
const win = Number(opt.window);
let start = 0;
let reachedAt = null;
global.DATA = JSON.parse(fs.readFileSync(opt.data, 'utf8'));
global.PEER = {
  maxSteps: Number(opt['max-steps']),
  samples: Number(opt.samples),
  stepSize: Number(opt['step-size']),
  step: (i, elbo) => {
    const t = Number(process.hrtime.bigint() - start) / 1e9;
    trace.push(typeof elbo === 'number' ? elbo : elbo.x);
    times.push(t);
    if (trace.length >= win) {
      const m = trace.slice(-win).reduce((a, b) => a + b, 0) / win;
      if (reachedAt === null && m >= target) reachedAt = {step: trace.length, seconds: t, mean: m};
    }
    return reachedAt !== null || t > Number(opt['max-seconds']);
  },
};
wutil.seedRNG(Number(opt.seed));
start = process.hrtime.bigint();
webppl.prepare(compiled, () => {
  const fitS = Number(process.hrtime.bigint() - start) / 1e9;
  fs.writeFileSync(opt.out, JSON.stringify({version: require(path.join(WEBPPL, 'package.json')).version, compile_s: compileS, fit_s: fitS, steps: trace.length, reached: reachedAt, trace, times}));
}, {errorHandlers: [(e) => { fs.writeFileSync(opt.out, JSON.stringify({error: String(e && e.message || e)})); }]}).run();
