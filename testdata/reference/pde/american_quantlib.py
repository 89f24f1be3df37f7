#!/usr/bin/env python3
"""Generate converged finite-difference reference values with QuantLib.

Run from this directory with the system interpreter that has QuantLib 1.29:

    /usr/bin/python3 american_quantlib.py

Writes american_ju.csv, american_quantlib.csv and barrier_quantlib.csv next
to this script. The tests read only the CSV files; QuantLib is not needed
to run them. See README.md for conventions and the meaning of the columns.
"""
import csv
import multiprocessing as mp
import os
import sys
import time

import QuantLib as ql

HERE = os.path.dirname(os.path.abspath(__file__))
JU_SOURCE_FILE = "/work/shared/reference/american_ju.csv"

TODAY = ql.Date(15, ql.January, 2024)

# American grids: the price is second order in the spatial step but only
# first order in the time step (the early-exercise projection after each
# Crank-Nicolson step), so time is refined at a fixed fine spatial grid and
# extrapolated assuming first order in dt.
X_GRID = 4000
X_GRID_CHECK = 2000
T_GRIDS = (1000, 2000, 4000)
DAMPING = 8

BARRIER_T, BARRIER_X = 4000, 4000


def setup(spot, r, q, vol, dc):
    ql.Settings.instance().evaluationDate = TODAY
    return ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, q, dc, ql.Continuous)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, r, dc, ql.Continuous)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, ql.NullCalendar(), vol, dc)),
    )


def otype(name):
    return ql.Option.Call if name == "call" else ql.Option.Put


def american_row(case):
    name, spot, strike, r, q, vol, days, basis = case
    dc = ql.Actual365Fixed() if basis == 365 else ql.Actual360()
    proc = setup(spot, r, q, vol, dc)
    expiry = TODAY + days
    payoff = ql.PlainVanillaPayoff(otype(name), strike)
    amer = ql.VanillaOption(payoff, ql.AmericanExercise(TODAY, expiry))
    euro = ql.VanillaOption(payoff, ql.EuropeanExercise(expiry))
    euro.setPricingEngine(ql.AnalyticEuropeanEngine(proc))

    def fd(nt, nx):
        amer.setPricingEngine(ql.FdBlackScholesVanillaEngine(
            proc, nt, nx, DAMPING, ql.FdmSchemeDesc.CrankNicolson()))
        return amer.NPV()

    v = [fd(nt, X_GRID) for nt in T_GRIDS]
    r1 = 2.0 * v[1] - v[0]          # first-order-in-dt Richardson, (1000, 2000)
    r2 = 2.0 * v[2] - v[1]          # first-order-in-dt Richardson, (2000, 4000)
    vx = fd(T_GRIDS[2], X_GRID_CHECK)
    # residual time error bounded by the change of the extrapolated value
    # between grid pairs; spatial error bounded by the full change from
    # 2000 to 4000 space points (second order: the true residual is ~1/3 of it)
    err = abs(r2 - r1) + abs(v[2] - vx)
    t = days / float(basis)
    src = ("QuantLib %s FdBlackScholesVanillaEngine CrankNicolson damping=%d; "
           "x=%d; t=%d/%d/%d; american=2*V(t%d)-V(t%d); %s days=%d"
           % (ql.__version__, DAMPING, X_GRID, T_GRIDS[0], T_GRIDS[1], T_GRIDS[2],
              T_GRIDS[2], T_GRIDS[1], "ACT/365F" if basis == 365 else "ACT/360", days))
    return dict(option_type=name, spot=spot, strike=strike, r=r, q=q, vol=vol,
                t=repr(t), days=days, american=repr(r2), american_err="%.3e" % err,
                american_fine=repr(v[2]), american_coarse=repr(v[1]),
                european=repr(euro.NPV()), source=src)


def american_cases():
    cases = []
    def add(name, s, k, r, q, vol, T):
        cases.append((name, s, k, r, q, vol, int(round(T * 365)), 365))
    # puts around the strike, various vols/maturities/rates
    for s in (80.0, 90.0, 100.0, 110.0, 120.0):
        add("put", s, 100.0, 0.05, 0.0, 0.2, 1.0)
    for vol in (0.1, 0.3, 0.5):
        add("put", 100.0, 100.0, 0.05, 0.0, vol, 1.0)
    for T in (0.0833, 0.25, 0.5, 3.0):
        add("put", 100.0, 100.0, 0.05, 0.0, 0.2, T)
    add("put", 100.0, 100.0, 0.1, 0.0, 0.3, 0.5)
    add("put", 90.0, 100.0, 0.1, 0.03, 0.2, 1.0)
    add("put", 100.0, 100.0, 0.02, 0.03, 0.2, 1.0)      # q > r put
    add("put", 100.0, 100.0, 0.0, 0.03, 0.3, 1.0)       # r = 0, q > 0
    add("put", 110.0, 100.0, 0.02, 0.07, 0.2, 3.0)      # q > r put
    add("put", 100.0, 100.0, 0.0, 0.0, 0.2, 1.0)        # r = q = 0: American = European
    add("put", 40.0, 35.0, 0.0488, 0.0, 0.2, 0.25)
    add("put", 40.0, 40.0, 0.0488, 0.0, 0.3, 0.5)
    add("put", 40.0, 45.0, 0.0488, 0.0, 0.5, 1.0)
    # calls: q = 0 (no early exercise) and q > 0 (early exercise matters)
    add("call", 100.0, 100.0, 0.05, 0.0, 0.2, 1.0)
    for s in (80.0, 90.0, 100.0, 110.0, 120.0):
        add("call", s, 100.0, 0.02, 0.07, 0.2, 1.0)
    for vol in (0.1, 0.3, 0.5):
        add("call", 100.0, 100.0, 0.05, 0.07, vol, 1.0)
    for T in (0.0833, 0.25, 0.5, 3.0):
        add("call", 100.0, 100.0, 0.05, 0.03, 0.2, T)
    add("call", 100.0, 100.0, 0.0, 0.03, 0.3, 1.0)
    add("call", 110.0, 100.0, 0.1, 0.07, 0.3, 3.0)
    add("call", 120.0, 100.0, 0.02, 0.07, 0.5, 0.5)
    add("call", 40.0, 40.0, 0.0488, 0.03, 0.3, 0.5)
    return cases


def ju_rows():
    rows = []
    with open(JU_SOURCE_FILE) as f:
        for rec in csv.DictReader(f):
            days = int(round(float(rec["t"]) * 360))
            rows.append(dict(
                option_type=rec["option_type"].lower(), spot=float(rec["spot"]),
                strike=float(rec["strike"]), r=float(rec["r"]), q=float(rec["q"]),
                vol=float(rec["vol"]), t=repr(days / 360.0), expected=rec["expected"],
                decimals=3,
                source="%s; Ju's approximation values as tabulated in %s "
                       "(QuantLib checks JuQuadraticApproximationEngine against them "
                       "to 1e-3); not exact values; t published as %s, i.e. %d/360"
                       % (rec["reference"].replace(",", ""), rec["source_file"], rec["t"], days),
                _days=days))
    return rows


def barrier_row(case):
    name, btype, barrier, rebate, spot, strike, r, q, vol, T = case
    dc = ql.Actual365Fixed()
    proc = setup(spot, r, q, vol, dc)
    days = int(round(T * 365))
    bt = {"downout": ql.Barrier.DownOut, "upout": ql.Barrier.UpOut,
          "downin": ql.Barrier.DownIn, "upin": ql.Barrier.UpIn}[btype]
    opt = ql.BarrierOption(bt, barrier, rebate, ql.PlainVanillaPayoff(otype(name), strike),
                           ql.EuropeanExercise(TODAY + days))
    opt.setPricingEngine(ql.AnalyticBarrierEngine(proc))
    an = opt.NPV()
    opt.setPricingEngine(ql.FdBlackScholesBarrierEngine(
        proc, BARRIER_T, BARRIER_X, DAMPING, ql.FdmSchemeDesc.CrankNicolson()))
    fd = opt.NPV()
    src = ("QuantLib %s AnalyticBarrierEngine; fd=FdBlackScholesBarrierEngine CrankNicolson "
           "damping=%d t=%d x=%d; ACT/365F days=%d" % (ql.__version__, DAMPING, BARRIER_T, BARRIER_X, days))
    return dict(option_type=name, barrier_type=btype, barrier=barrier, rebate=rebate,
                spot=spot, strike=strike, r=r, q=q, vol=vol, t=repr(days / 365.0), days=days,
                analytic=repr(an), fd=repr(fd), source=src)


def barrier_cases():
    c = []
    c.append(("call", "downout", 90.0, 0.0, 100.0, 100.0, 0.05, 0.02, 0.25, 1.0))
    c.append(("call", "downout", 90.0, 3.0, 100.0, 100.0, 0.05, 0.02, 0.25, 1.0))
    c.append(("put", "downout", 80.0, 0.0, 100.0, 100.0, 0.05, 0.0, 0.3, 0.5))
    c.append(("put", "downout", 80.0, 3.0, 100.0, 100.0, 0.05, 0.0, 0.3, 0.5))
    c.append(("call", "upout", 130.0, 0.0, 100.0, 100.0, 0.05, 0.0, 0.2, 1.0))
    c.append(("call", "upout", 130.0, 3.0, 100.0, 100.0, 0.05, 0.0, 0.2, 1.0))
    c.append(("put", "upout", 110.0, 0.0, 100.0, 100.0, 0.02, 0.03, 0.2, 0.5))
    c.append(("put", "upout", 110.0, 3.0, 100.0, 100.0, 0.02, 0.03, 0.2, 0.5))
    c.append(("call", "downin", 90.0, 0.0, 100.0, 100.0, 0.05, 0.02, 0.25, 1.0))
    c.append(("put", "downin", 90.0, 0.0, 100.0, 100.0, 0.05, 0.0, 0.3, 0.5))
    c.append(("call", "upin", 110.0, 0.0, 100.0, 100.0, 0.05, 0.0, 0.2, 1.0))
    c.append(("put", "upin", 120.0, 0.0, 100.0, 105.0, 0.02, 0.03, 0.3, 1.0))
    return c


def write(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow(row)


def main():
    start = time.time()
    ju = ju_rows()
    write(os.path.join(HERE, "american_ju.csv"),
          ["option_type", "spot", "strike", "r", "q", "vol", "t", "expected", "decimals", "source"], ju)
    cases = american_cases()
    cases += [(j["option_type"], j["spot"], j["strike"], j["r"], j["q"], j["vol"], j["_days"], 360) for j in ju]
    with mp.Pool(min(4, os.cpu_count() or 1)) as pool:
        amer = pool.map(american_row, cases, chunksize=1)
        barr = pool.map(barrier_row, barrier_cases(), chunksize=1)
    write(os.path.join(HERE, "american_quantlib.csv"),
          ["option_type", "spot", "strike", "r", "q", "vol", "t", "days", "american", "american_err",
           "american_fine", "american_coarse", "european", "source"], amer)
    write(os.path.join(HERE, "barrier_quantlib.csv"),
          ["option_type", "barrier_type", "barrier", "rebate", "spot", "strike", "r", "q", "vol",
           "t", "days", "analytic", "fd", "source"], barr)
    print("american cases: %d, barrier cases: %d, max american_err %.3e, %.1f s"
          % (len(amer), len(barr), max(float(a["american_err"]) for a in amer), time.time() - start))


if __name__ == "__main__":
    main()
