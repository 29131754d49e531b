#!/usr/bin/env python3
"""Writes iku_seed_aalborg.csv: competitive exposure (IKU) figures that
reproduce seed 003 (DI's municipal ranking of Aalborg Kommune) — Aalborg's
own percentages per main account with its national places in 2022, its total
(29,8 %, nr. 30) and its total places 2012–2022 — amid 97 synthetic
municipalities ("Syntetisk kommune 01".."97", not real figures) generated
from a fixed seed, so the file is the same on every run:

    python3 tests/data/iku/make_iku_seed.py > tests/data/iku/iku_seed_aalborg.csv

National averages (mean over the 98 municipalities, each once) are set from
the seed's text: the total 28,0 % (Aalborg's 29,8 is 1,8 points above),
Transport og infrastruktur 56,6 %, Undervisning og kultur 28,3 % (Aalborg's
30,5 is 2,2 points above); Sociale opgaver 25,0 %, set so that Aalborg's 26,1
lies above it as the seed says. The other accounts' averages only lie on the
side of Aalborg the seed names (Sundhed above, Administration og it below). Every figure is checked here with the formula trin
uses (basis points, half away from zero) before the file is written.

Amounts are whole kroner; tasks are multiples of 10.000 kr. so each account's
IKU is an exact number of basis points."""
import random
import sys

ACCOUNTS = ["Byudvikling", "Transport og infrastruktur", "Undervisning og kultur",
            "Sundhed", "Sociale opgaver", "Administration og it"]
# seed 003: Aalborg's percentage (bp) and national place per main account, 2022
AALBORG = [7000, 6800, 3050, 1890, 2610, 2000]
PLACE = [1, 23, 31, 23, 55, 63]
# the total's place per year (2012–2022) and the 2022 total
HISTORY = {2012: 31, 2013: 36, 2014: 27, 2015: 56, 2016: 29, 2017: 27, 2018: 25,
           2019: 23, 2020: 23, 2021: 22, 2022: 30}
TOTAL_2022 = 2980
N = 98
# (low, high) of the synthetic municipalities per account, and the mean over
# all 98 (None: free, on the seed's side of Aalborg)
RANGE = [(2000, 9000), (3000, 8500), (1800, 4200), (600, 3200), (1200, 4800), (1200, 3600)]
MEAN = [None, 5660, 2830, None, 2500, None]
MEAN_TOTAL = 2800
# a municipality's tasks per account, in units of 10.000 kr. (budget shares)
BASE = [30, 70, 200, 40, 520, 140]

rnd = random.Random(20221231)


def bp(num, tasks):
    return (num * 10000 + tasks // 2) // tasks


def spread(n, lo, hi):
    return [rnd.randint(lo, hi) for _ in range(n)]


def fit_sum(vals, bounds, target):
    """Moves values one basis point at a time, within their bounds, until
    they sum to target."""
    i = 0
    guard = 0
    while sum(vals) != target:
        step = 1 if sum(vals) < target else -1
        lo, hi = bounds[i % len(vals)]
        v = vals[i % len(vals)] + step
        if lo <= v <= hi:
            vals[i % len(vals)] = v
        i += 1
        guard += 1
        assert guard < 10_000_000, "cannot fit the sum"
    return vals


def account_values(k, place):
    """97 synthetic values of account k: place-1 above Aalborg's, the rest
    below (None: no constraint), with the seed's mean where it gives one."""
    lo, hi = RANGE[k]
    a = AALBORG[k]
    if place is None:
        vals = spread(N - 1, lo, hi)
        bounds = [(lo, hi)] * (N - 1)
    else:
        up = place - 1
        vals = spread(up, a + 20, max(hi, a + 400)) + spread(N - 1 - up, min(lo, a - 400), a - 20)
        bounds = [(a + 20, max(hi, a + 400))] * up + [(min(lo, a - 400), a - 20)] * (N - 1 - up)
    if MEAN[k] is not None:
        vals = fit_sum(vals, bounds, MEAN[k] * N - a)
    return vals


def weights_for(p, target):
    """Tasks (units of 10.000 kr.) per account so the total of values p comes
    out at target basis points (within one)."""
    size = rnd.randint(80, 400) / 100
    w = [max(1, int(b * size * 100)) for b in BASE]
    for _ in range(4):
        s = sum(pi * wi for pi, wi in zip(p, w))
        t = sum(w)
        cur = s / t
        if abs(cur - target) < 0.3:
            break
        if cur < target:
            h = max(range(6), key=lambda i: p[i])
            x = (target * t - s) / (p[h] - target)
        else:
            lw = min(range(6), key=lambda i: p[i])
            x = (s - target * t) / (target - p[lw])
        w[h if cur < target else lw] += max(0, round(x))
    return w


def total_of(p, w):
    num = sum(wi * pi for pi, wi in zip(p, w))  # kroner: (w×10.000) × p / 10.000
    return bp(num, sum(w) * 10000)


def year_rows(year, place_total, constrained):
    accounts = [account_values(k, PLACE[k] if constrained else None) for k in range(6)]
    # Aalborg's weights: chosen once so its total is exactly TOTAL_2022
    aal_p = AALBORG
    aal_w = AALBORG_W
    aal_total = total_of(aal_p, aal_w)
    assert aal_total == TOTAL_2022, aal_total
    up = place_total - 1
    # the others' totals: `up` above Aalborg (those whose accounts reach
    # highest), the rest below, each inside what its accounts allow, with the
    # mean over all 98 = MEAN_TOTAL
    ps = [[accounts[k][m] for k in range(6)] for m in range(N - 1)]
    order = sorted(range(N - 1), key=lambda m: -max(ps[m]))
    is_up = set(order[:up])
    bounds = []
    for m in range(N - 1):
        if not constrained and m not in is_up and min(ps[m]) + 40 >= aal_total - 100:
            # a year without per-account places: give it a low account
            k = min(range(6), key=lambda i: ps[m][i])
            ps[m][k] = rnd.randint(600, 2400)
        lo, hi = min(ps[m]) + 40, max(ps[m]) - 40
        if m in is_up:
            lo, hi = max(lo, aal_total + 15), min(hi, aal_total + 1500)
        else:
            lo, hi = max(lo, 1500), min(hi, aal_total - 15)
        assert lo < hi, (year, ps[m], m in is_up)
        bounds.append((lo, hi))
    targets = [rnd.randint(lo, hi) for lo, hi in bounds]
    targets = fit_sum(targets, bounds, MEAN_TOTAL * N - aal_total)
    munis = []
    for m in range(N - 1):
        p = ps[m]
        w = weights_for(p, targets[m])
        munis.append((f"Syntetisk kommune {m + 1:02d}", p, w))
    # the others' totals land within a basis point or two of the targets:
    # move the last one's so the mean is exact
    tot = [total_of(p, w) for _, p, w in munis]
    need = MEAN_TOTAL * N - aal_total - sum(tot)
    guard = 0
    while need != 0:
        name, p, w = munis[-1]
        h = max(range(6), key=lambda i: p[i]) if need > 0 else min(range(6), key=lambda i: p[i])
        w[h] += 1
        tot[-1] = total_of(p, w)
        need = MEAN_TOTAL * N - aal_total - sum(tot)
        guard += 1
        assert guard < 100000
    # checks: Aalborg's places
    above = sum(1 for t in tot if t > aal_total)
    assert above == place_total - 1 and all(t != aal_total for t in tot), (year, above)
    assert (sum(tot) + aal_total) == MEAN_TOTAL * N
    if constrained:
        for k in range(6):
            vals = [p[k] for _, p, _ in munis]
            assert sum(1 for v in vals if v > AALBORG[k]) == PLACE[k] - 1
            assert AALBORG[k] not in vals
            if MEAN[k] is not None:
                assert sum(vals) + AALBORG[k] == MEAN[k] * N
    return [("Aalborg", aal_p, aal_w)] + munis


def aalborg_weights():
    """Aalborg's tasks per account (units of 10.000 kr.) so its total is
    exactly 29,80 %: Sociale opgaver the largest, as in the seed's text."""
    for soc in range(2000, 6000):
        for adm in range(300, 1000):
            w = [120, 320, 900, 110, soc, adm]
            if total_of(AALBORG, w) == TOTAL_2022:
                return w
    raise SystemExit("no weights")


# Aalborg is a large municipality: the same shares, fifty times the amounts
AALBORG_W = [w * 50 for w in aalborg_weights()]


def kr(v):
    s = f"{v:,}".replace(",", ".")
    return s


def main():
    out = sys.stdout
    out.write("år;kommune;hovedkonto;køb;egne vundne udbud;udbudsegnede opgaver\n")
    for year in sorted(HISTORY):
        for name, p, w in year_rows(year, HISTORY[year], year == 2022):
            for k in range(6):
                tasks = w[k] * 10000          # kroner
                num = w[k] * p[k]             # = tasks × p / 10.000
                own = num // 8
                out.write(f"{year};{name};{ACCOUNTS[k]};{kr(num - own)};{kr(own)};{kr(tasks)}\n")


if __name__ == "__main__":
    main()
