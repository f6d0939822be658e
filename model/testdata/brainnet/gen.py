#!/usr/bin/env python3
"""Golden lifetimes from BrainNet itself, for model/brainnet_test.go.

How to run: with Debian's python3-torch (apt-get install python3-torch) and
BrainNet's repository (github.com/BrainNetwork/BrainNet) checked out at DIR:

    /usr/bin/python3 model/testdata/brainnet/gen.py DIR [OUTDIR]

OUTDIR defaults to this script's folder. The script imports BrainNet's own
LocalNet (network.py, LocalNetBase.py, BrainNet.py) and runs its lifetime,
LocalNetBase.forward with continue_=True, on weights, rules and samples it
draws itself; nothing of BrainNet is copied here. Each case is written as
one JSON file: the network's sizes and options, the initial weights (float32
values), the hidden and output rule tables, the samples and labels, and
BrainNet's final weights (graph weights times the graph mask).

What the script changes in BrainNet, and why:
- torch.topk is swapped for a stable top-k that keeps the lower index on
  ties (a stable descending sort), as our cap breaks ties; torch.topk leaves
  the order of equal values unspecified, and under relu the zeros tie.
- graph and output biases are set to zero (we have none), the input and
  output masks to all ones, and BrainNet's resetting of the weights is
  skipped (continue_=True), so the lifetime starts from the drawn weights.
- sklearn (imported by LocalNetBase for shuffle, which the lifetime does not
  use) is stubbed when it is not installed.
- The files named *-nonzero-* come from BrainNet patched to the non-zero
  reading of "fired": get_cap marks a neuron activated when its capped value
  is non-zero, instead of whenever the cap kept it.
BrainNet's input rule is left out: its indexing gives weight Win[i][m] the
pattern of neuron (i*n+m) mod num_v (docs/model.md §10).
"""
import json
import os
import sys
import types

import torch

if len(sys.argv) < 2:
    sys.exit("usage: gen.py BRAINNET_DIR [OUTDIR]")
sys.path.insert(0, sys.argv[1])
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
try:
    import sklearn.utils  # noqa: F401
except ImportError:
    stub = types.ModuleType("sklearn.utils")
    stub.shuffle = None
    sys.modules["sklearn"] = types.ModuleType("sklearn")
    sys.modules["sklearn.utils"] = stub

import BrainNet as brainnet_module  # noqa: E402
from LocalNetBase import Options, UpdateScheme  # noqa: E402
from network import LocalNet  # noqa: E402


def stable_topk(x, k, axis=-1, **_):
    """Top-k by a stable descending sort: the lower index first among ties."""
    vals, idx = torch.sort(x, dim=axis, descending=True, stable=True)
    return vals.narrow(axis, 0, k), idx.narrow(axis, 0, k)


torch.topk = stable_topk
brainnet_module.torch.topk = stable_topk
ORIGINAL_GET_CAP = brainnet_module.BrainNet.get_cap


def get_cap_nonzero(self, x):
    """BrainNet's get_cap with activated = (capped value != 0)."""
    _, indices = torch.topk(x, self.cap, axis=1)
    res = torch.zeros_like(x).scatter(1, indices, torch.gather(x, 1, indices))
    if res.shape[0] == 1:
        activated = (res != 0).double()
        self.activated = 2 * self.activated + activated.squeeze()
        self.activated_rounds.append(activated.squeeze())
    return res


def f32(t):
    """Rounds to float32 and back, so both sides start from the same values."""
    return t.float().double()


def run_case(name, n, m, num_v, cap, rounds, additive, misclassified, all_edges, steps, seed, nonzero=False, p=1.0):
    g = torch.Generator().manual_seed(seed)
    net = LocalNet(n, m, num_v, p, cap, rounds,
                   options=Options(use_graph_rule=True, use_output_rule=True, additive_rule=additive),
                   update_scheme=UpdateScheme(update_misclassified=misclassified, update_all_edges=all_edges))
    net.double()
    P = 2 ** (rounds + 1)
    mask = (torch.rand(num_v, num_v, generator=g) < p).double()
    mask.fill_diagonal_(0)
    net.graph = mask
    net.input_layer = torch.ones(num_v, n, dtype=torch.double)
    net.output_layer = torch.ones(m, num_v, dtype=torch.double)
    net.graph_bias = torch.zeros(num_v, dtype=torch.double)
    net.output_bias = torch.zeros(m, dtype=torch.double)
    net.input_weights = f32(torch.randn(num_v, n, generator=g, dtype=torch.double))
    net.graph_weights = f32(torch.randn(num_v, num_v, generator=g, dtype=torch.double)) * mask
    net.output_weights = f32(torch.randn(m, num_v, generator=g, dtype=torch.double))
    net.rule = f32(torch.randn(P * P, generator=g, dtype=torch.double))
    net.output_rule = f32(torch.randn(2 * P, generator=g, dtype=torch.double))
    x = f32(torch.randn(steps, n, generator=g, dtype=torch.double))
    y = torch.randint(0, m, (steps,), generator=g)
    init = [net.input_weights.clone(), net.graph_weights.clone(), net.output_weights.clone()]
    net.get_cap = types.MethodType(get_cap_nonzero if nonzero else ORIGINAL_GET_CAP, net)
    with torch.no_grad():
        net.forward(x, y, 1, 1, continue_=True)
    case = {
        "brainnet_commit_note": "LocalNetBase.forward(continue_=True), stable top-k" + (", non-zero reading" if nonzero else ""),
        "inputs": n, "hidden": num_v, "outputs": m, "cap": cap, "rounds": rounds, "eta": net.step_sz,
        "rule_form": "additive" if additive else "multiplicative",
        "update": "misclassified" if misclassified else "always",
        "output_edges": "all" if all_edges else "predicted",
        "fire": "nonzero" if nonzero else "topk",
        "mask": mask.flatten().tolist(),
        "win": init[0].flatten().tolist(), "whid": init[1].flatten().tolist(), "wout": init[2].flatten().tolist(),
        "hidden_rule": net.rule.tolist(), "output_rule": net.output_rule.tolist(),
        "x": x.flatten().tolist(), "y": y.tolist(),
        "final_win": net.input_weights.flatten().tolist(),
        "final_whid": (net.graph_weights * mask).flatten().tolist(),
        "final_wout": net.output_weights.flatten().tolist(),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f)


seed = 1
for rounds in range(4):
    for additive in (True, False):
        for misclassified in (True, False):
            for all_edges in (True, False):
                name = "r%d-%s-%s-%s" % (rounds, "add" if additive else "mul", "mis" if misclassified else "always",
                                         "all" if all_edges else "pred")
                run_case(name, n=5, m=3, num_v=12, cap=7, rounds=rounds, additive=additive,
                         misclassified=misclassified, all_edges=all_edges, steps=40, seed=seed)
                seed += 1
# The non-zero reading on a few networks, one with a sparse graph.
run_case("r2-add-mis-all-nonzero", n=5, m=3, num_v=12, cap=7, rounds=2, additive=True, misclassified=True,
         all_edges=True, steps=40, seed=100, nonzero=True)
run_case("r1-mul-always-pred-nonzero-p05", n=5, m=3, num_v=12, cap=7, rounds=1, additive=False, misclassified=False,
         all_edges=False, steps=40, seed=101, nonzero=True, p=0.5)
run_case("r3-add-always-pred-p05", n=5, m=3, num_v=12, cap=7, rounds=3, additive=True, misclassified=False,
         all_edges=False, steps=40, seed=102, p=0.5)
# The comparison of the report: relu, raw drive, R = 3, misclassified, all
# edges, 100 samples; BrainNet unpatched (topk) and patched (non-zero).
for nonzero in (False, True):
    run_case("report-r3-mis-all-100-" + ("nonzero" if nonzero else "topk"), n=10, m=3, num_v=20, cap=10, rounds=3,
             additive=True, misclassified=True, all_edges=True, steps=100, seed=200, nonzero=nonzero)
