#!/bin/bash
# decay.sh NAME SEED FLAGS...: train -preset synthetic with extra flags (e.g. -eta-decay 4000) at one seed into
# o-NAME-SEED, then score its rules over data-seeds 100..109: score.sh (test, transfer, -ablate hidden, -ablate
# input), abl.sh with -ablate input,hidden, and score.sh with the decay off at eval and transfer (-eta-decay 0)
n=$1; s=$2; shift 2
P=${PLASTICITY:-plasticity}; D=$(dirname $0)
/usr/bin/time -f "$n seed $s train %e s wall %U s user" $P train -preset synthetic -seed $s -out o-$n-$s -json "$@" > o-$n-$s.json 2> o-$n-$s.err
tail -1 o-$n-$s.err
echo "$n seed $s [$*]"
$D/score.sh o-$n-$s/rules.json
$D/abl.sh o-$n-$s/rules.json input,hidden
$D/score.sh o-$n-$s/rules.json -eta-decay 0 | sed 's/^/decay off: /'
