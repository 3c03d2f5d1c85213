#!/bin/bash
cd /work/main/packages/core && npx tsc -b tsconfig.build.json || exit 1
cd /work/main/packages/bench
for i in 1 2 3; do node --max-semi-space-size=64 --import ./scratch/register-built.mjs --import tsx scratch/inproc.ts ${1:-5000} | grep -o "median diff.*"; done
