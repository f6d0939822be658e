#!/bin/bash
# one.sh NAME SEED FLAGS...: train the recipe with extra flags at one seed and score
n=$1; s=$2; shift 2
/usr/bin/time -f "$n seed $s train %e s %U user" ${PLASTICITY:-plasticity} train -method gd -seed $s -out o-$n-$s -json -freeze none -norm both -input-rule hebbian -horizon 1000 -output-edges predicted -free-readout -steps 4000 "$@" > o-$n-$s.json 2> o-$n-$s.err
tail -1 o-$n-$s.err
echo "$n seed $s [$*]"
$(dirname $0)/score.sh o-$n-$s/rules.json
