#!/bin/bash
# es-recipe.sh: the synthetic preset learned by its ES (-method es), seeds 1-5, scored on draws 100-109 (es-recipe.log).
for s in 1 2 3 4 5; do
  ${PLASTICITY:-plasticity} train -preset synthetic -method es -seed $s -out es$s > es$s.log 2>&1
done
for s in 1 2 3 4 5; do PLASTICITY=${PLASTICITY:-plasticity} bash "$(dirname "$0")/score.sh" es$s/rules.json; done > es-score.log
