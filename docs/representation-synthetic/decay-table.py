#!/usr/bin/env python3
"""decay-table.py LOG...: the five-seed table of decay.sh's output. Each row is one seed's rules (mean ± sd over the
10 draws); the last row the mean ± sd over seeds of those means, and the costs of zeroing the hidden table
(transfer minus -ablate hidden transfer) per seed."""
import re, statistics as st, sys

rows = {}
for path in sys.argv[1:]:
    seed = None
    for line in open(path):
        m = re.match(r'(\S+) seed (\d+) \[', line)
        if m:
            seed = (m.group(1), int(m.group(2)))
            rows[seed] = {}
            continue
        if seed is None:
            continue
        v = dict((k, (float(a), float(b))) for k, a, b in re.findall(r'([\w,-]+) ([\d.]+) ± ([\d.]+)', line))
        if line.startswith('decay off:'):
            rows[seed]['off'] = v['transfer']
        elif 'ablate input,hidden' in line:
            rows[seed]['ih-test'], rows[seed]['ih'] = v['test'], v['transfer']
        elif 'abl-hidden' in line:
            for k in ('test', 'transfer', 'abl-hidden', 'abl-input'):
                rows[seed][k] = v[k]
cols = ['test', 'transfer', 'abl-hidden', 'abl-input', 'ih-test', 'ih', 'off']
print('| seed | test acc | transfer | `-ablate hidden` | `-ablate input` | `-ablate input,hidden` (test; transfer) | `-eta-decay 0` at transfer |')
print('|---|--:|--:|--:|--:|--:|--:|')
f = lambda p: '%.3f ± %.3f' % p
for (name, s), r in sorted(rows.items()):
    if not all(c in r for c in cols):
        continue
    print('| %s %d | %s | %s | %s | %s | %s; %s | %s |' % (name, s, *[f(r[c]) for c in cols[:5]], f(r['ih']), f(r['off'])))
names = sorted(set(n for n, _ in rows))
for name in names:
    rs = [r for (n, _), r in sorted(rows.items()) if n == name and all(c in r for c in cols)]
    if len(rs) < 2:
        continue
    ms = lambda c: (st.mean(r[c][0] for r in rs), st.stdev(r[c][0] for r in rs))
    print('| **%s, %d seeds** | **%s** | **%s** | %s | %s | %s; %s | %s |' % (name, len(rs), *[f(ms(c)) for c in cols[:5]], f(ms('ih')), f(ms('off'))))
    cost = [r['transfer'][0] - r['abl-hidden'][0] for r in rs]
    print('%s: hidden table cost per seed %s; mean %.3f ± %.3f' % (name, ' '.join('%.3f' % c for c in cost), st.mean(cost), st.stdev(cost)))
