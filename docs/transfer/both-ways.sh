#!/bin/bash
# Issue 13's "across data sets" figures (docs/transfer.md, five seeds each way).
# MNIST=DIR_PREFIX holds DIR_PREFIX1..5 from `plasticity train -preset mnist -seed S -out ...`,
# SYN=DIR_PREFIX holds DIR_PREFIX1..5 from `plasticity train -preset synthetic -seed S -out ...`.
# Prints one line per run: direction, seed, draw, ablation, test accuracy.
set -e
PL=${PL:-plasticity}
acc() { "$PL" transfer "$@" -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["final_test_accuracy"])'; }
for s in 1 2 3 4 5; do
  for d in $(seq 100 109); do
    for a in none input; do
      echo "mnist->synthetic $s $d $a $(acc -rules "$MNIST$s/rules.json" -data synthetic -data-seed "$d" -passes 50 -ablate "${a/none/}")"
    done
  done
  for a in none input input,hidden; do
    echo "synthetic->mnist $s - $a $(acc -rules "$SYN$s/rules.json" -data mnist -passes 1 -ablate "${a/none/}")"
  done
done
