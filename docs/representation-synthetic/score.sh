#!/bin/bash
# score.sh RULES [extra transfer flags...]: eval test acc and transfer acc (+ ablate hidden, input) over data-seeds 100..109 (or $DRAWS)
R=$1; shift
P=${PLASTICITY:-plasticity}
ev=(); tr=(); th=(); ti=()
for s in ${DRAWS:-$(seq 100 109)}; do
  ev+=($($P eval -rules $R -batch 100 -data-seed $s -json "$@" 2>/dev/null | jq .test_accuracy))
  tr+=($($P transfer -rules $R -data-seed $s -passes 50 -json "$@" 2>/dev/null | jq .final_test_accuracy))
  th+=($($P transfer -rules $R -data-seed $s -passes 50 -ablate hidden -json "$@" 2>/dev/null | jq .final_test_accuracy))
  ti+=($($P transfer -rules $R -data-seed $s -passes 50 -ablate input -json "$@" 2>/dev/null | jq .final_test_accuracy))
done
ms() { python3 -c "import sys,statistics as s; v=[float(x) for x in sys.argv[1:]]; print('%.3f ± %.3f' % (s.mean(v), s.stdev(v)))" "$@"; }
echo "$R test $(ms ${ev[@]}) transfer $(ms ${tr[@]}) abl-hidden $(ms ${th[@]}) abl-input $(ms ${ti[@]})"
