import json, os, subprocess, sys, statistics as st
rules = sys.argv[1]; extra = sys.argv[2:]
pts = [0.05, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 40, 50]
acc = {p: [] for p in pts}
for s in range(100, 110):
    out = subprocess.run([os.environ.get('PLASTICITY', 'plasticity'), 'transfer', '-rules', rules, '-data-seed', str(s), '-passes', '50', '-json'] + extra,
                         capture_output=True, text=True).stdout
    c = json.loads(out)['curve']
    for p in pts:
        v = [x['test_accuracy'] for x in c if abs(x['pass'] - p) < 1e-9]
        acc[p].append(v[0])
print(rules, ' '.join(extra))
print('| pass | ' + ' | '.join(str(p) for p in pts) + ' |')
print('| test acc | ' + ' | '.join('%.3f' % st.mean(acc[p]) for p in pts) + ' |')
print('| min over draws | ' + ' | '.join('%.3f' % min(acc[p]) for p in pts) + ' |')
