#!/bin/bash
# abl.sh RULES ABLATE : eval test (batch 100) and transfer over data-seeds 100..109 (or $DRAWS) with -ablate ABLATE
R=$1; A=$2; shift 2
P=${PLASTICITY:-plasticity}
ev=(); tr=()
for s in ${DRAWS:-$(seq 100 109)}; do
  ev+=($($P eval -rules $R -batch 100 -data-seed $s -ablate $A -json "$@" 2>/dev/null | jq .test_accuracy))
  tr+=($($P transfer -rules $R -data-seed $s -passes 50 -ablate $A -json "$@" 2>/dev/null | jq .final_test_accuracy))
done
ms() { python3 -c "import sys,statistics as s; v=[float(x) for x in sys.argv[1:]]; print('%.3f ± %.3f' % (s.mean(v), s.stdev(v)))" "$@"; }
echo "$R ablate $A: test $(ms ${ev[@]}) transfer $(ms ${tr[@]})"
