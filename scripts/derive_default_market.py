#!/usr/bin/env python3
"""Derive the built-in default market's parameters from the shared real data.

Writes src/sim/default_market_params.h, the calibration that DefaultMarket()
(src/sim/synthetic_market.cpp) draws its synthetic year from. docs/market.md
explains the model; this script is the only place its numbers come from.

Usage (from the repository root; python3 standard library only):

    python3 scripts/derive_default_market.py                 # write the header
    python3 scripts/derive_default_market.py --check         # exit 1 if the committed one differs

Options: --data DIR (default ../shared/data beside the repository),
         --out FILE (default src/sim/default_market_params.h).

Power: ERCOT day-ahead HB_WEST, operating days 2023-01-01 .. 2024-12-31
(Central Standard Time, UTC-6). Hashprice: the same rules as BuildMarket()
in src/data/market.cpp, evaluated at 00:00 UTC of every day of 2024.
"""

import argparse
import csv
import datetime as dt
import hashlib
import math
import os
import sys

POWER_FILE = "ercot_dam_spp_hourly_2021_2024.csv"
POWER_COLUMN = "hb_west_usd_per_mwh"
EPOCHS_FILE = "btc_difficulty_epochs.csv"
PRICE_FILE = "btc_price_daily.csv"
FEES_FILE = "btc_fees_daily.csv"
NETWORK_FILE = "btc_network_daily.csv"
INPUTS = [POWER_FILE, EPOCHS_FILE, PRICE_FILE, FEES_FILE, NETWORK_FILE]

# Calibration window for power: whole ERCOT operating days (CST) of 2023 and 2024.
MARKET_OFFSET = dt.timedelta(hours=-6)  # UTC -> Central Standard Time
POWER_FROM = dt.datetime(2023, 1, 1, 6)  # 2023-01-01 00:00 CST
POWER_TO = dt.datetime(2025, 1, 1, 6)  # 2025-01-01 00:00 CST (exclusive)

SPIKE_THRESHOLD = 200.0  # USD/MWh: an hour above it is a spike
BIG_SPIKE_THRESHOLD = 1000.0  # USD/MWh
# ERCOT's high system-wide offer cap since 2022-01-01 (PUCT rule 25.505); the DAM
# clears under the same cap. Not derived: a market rule, used to cap spike draws.
OFFER_CAP = 5000.0
LOG_FLOOR = 1.0  # USD/MWh: base hours below it are read as 1 USD/MWh in log space

HASHPRICE_YEAR = 2024
FEE_WINDOW_DAYS = 7
SUBSIDY_BEFORE_BTC = 6.25
SUBSIDY_AFTER_BTC = 3.125


def parse_utc(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def parse_day(text):
    return dt.date.fromisoformat(text)


def season_of(month):
    """0 winter (Dec-Feb), 1 spring (Mar-May), 2 summer (Jun-Aug), 3 autumn (Sep-Nov)."""
    return (month % 12) // 3


def mean(values):
    return sum(values) / len(values)


def sample_sd(values):
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- power


def truncated_pareto_alpha(xs, low, high):
    """MLE of the tail index of a Pareto truncated to [low, high] (bisection on the score)."""
    n = len(xs)
    s = sum(math.log(x / low) for x in xs)
    r = low / high
    lnr = math.log(r)

    def score(a):
        ra = r ** a
        return n / a - s + n * ra * lnr / (1 - ra)

    lo, hi = 1e-6, 50.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if score(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def derive_power(data):
    rows = read_rows(os.path.join(data, POWER_FILE))
    hours = []
    for r in rows:
        t = parse_utc(r["timestamp_utc"])
        if POWER_FROM <= t < POWER_TO:
            hours.append((t, float(r[POWER_COLUMN])))
    expected = int((POWER_TO - POWER_FROM).total_seconds() // 3600)
    assert len(hours) == expected, (len(hours), expected)

    cells = []  # (market datetime, season, hour, month, price)
    for t, p in hours:
        m = t + MARKET_OFFSET
        cells.append((m, season_of(m.month), m.hour, m.month, p))

    is_spike = [c[4] > SPIKE_THRESHOLD for c in cells]
    is_neg = [c[4] < 0 for c in cells]
    is_base = [not a and not b for a, b in zip(is_spike, is_neg)]
    logp = [math.log(max(c[4], LOG_FLOOR)) for c in cells]

    # Monthly mean log price over base hours.
    month_sum = [0.0] * 12
    month_n = [0] * 12
    for c, lp, b in zip(cells, logp, is_base):
        if b:
            month_sum[c[3] - 1] += lp
            month_n[c[3] - 1] += 1
    month_level = [month_sum[i] / month_n[i] for i in range(12)]

    # Hour-of-day shape by season: mean deviation from the month level.
    shape_sum = [[0.0] * 24 for _ in range(4)]
    shape_n = [[0] * 24 for _ in range(4)]
    for c, lp, b in zip(cells, logp, is_base):
        if b:
            shape_sum[c[1]][c[2]] += lp - month_level[c[3] - 1]
            shape_n[c[1]][c[2]] += 1
    shape = [[shape_sum[s][h] / shape_n[s][h] for h in range(24)] for s in range(4)]

    # AR(1) of the residual log deviation over consecutive base hours.
    dev = [
        (lp - month_level[c[3] - 1] - shape[c[1]][c[2]]) if b else None
        for c, lp, b in zip(cells, logp, is_base)
    ]
    sxy = sxx = 0.0
    pairs = []
    for i in range(1, len(dev)):
        if dev[i] is not None and dev[i - 1] is not None:
            pairs.append((dev[i - 1], dev[i]))
            sxy += dev[i - 1] * dev[i]
            sxx += dev[i - 1] ** 2
    phi = sxy / sxx
    resid = [y - phi * x for x, y in pairs]
    sigma = math.sqrt(sum(e * e for e in resid) / (len(resid) - 1))
    base_devs = [d for d in dev if d is not None]
    dev_sd = sample_sd(base_devs)

    # Spikes and negative prices: share per (season, hour), and the share of
    # operating days (CST) in each season that have at least one.
    n_cell = [[0] * 24 for _ in range(4)]
    spike_cell = [[0] * 24 for _ in range(4)]
    neg_cell = [[0] * 24 for _ in range(4)]
    day_season = {}
    spike_days = set()
    neg_days = set()
    for c, sp, ng in zip(cells, is_spike, is_neg):
        s, h = c[1], c[2]
        n_cell[s][h] += 1
        day = c[0].date()
        day_season[day] = season_of(day.month)
        if sp:
            spike_cell[s][h] += 1
            spike_days.add(day)
        if ng:
            neg_cell[s][h] += 1
            neg_days.add(day)
    days_in = [0] * 4
    spike_days_in = [0] * 4
    neg_days_in = [0] * 4
    for day, s in day_season.items():
        days_in[s] += 1
        spike_days_in[s] += day in spike_days
        neg_days_in[s] += day in neg_days
    spike_prob = [[spike_cell[s][h] / n_cell[s][h] for h in range(24)] for s in range(4)]
    neg_prob = [[neg_cell[s][h] / n_cell[s][h] for h in range(24)] for s in range(4)]
    spike_day_share = [spike_days_in[s] / days_in[s] for s in range(4)]
    neg_day_share = [neg_days_in[s] / days_in[s] for s in range(4)]

    spikes = [c[4] for c, sp in zip(cells, is_spike) if sp]
    big = [p for p in spikes if p > BIG_SPIKE_THRESHOLD]
    small = [p for p in spikes if p <= BIG_SPIKE_THRESHOLD]
    alpha_low = truncated_pareto_alpha(small, SPIKE_THRESHOLD, BIG_SPIKE_THRESHOLD)
    alpha_high = len(big) / sum(math.log(p / BIG_SPIKE_THRESHOLD) for p in big)
    negs = [c[4] for c, ng in zip(cells, is_neg) if ng]

    years = len(hours) / 8772.0  # 2 operating years: 8760 + 8784 hours
    prices = [c[4] for c in cells]
    return {
        "month_level": month_level,
        "shape": shape,
        "phi": phi,
        "sigma": sigma,
        "dev_sd": dev_sd,
        "spike_prob": spike_prob,
        "spike_day_share": spike_day_share,
        "neg_prob": neg_prob,
        "neg_day_share": neg_day_share,
        "big_share": len(big) / len(spikes),
        "alpha_low": alpha_low,
        "alpha_high": alpha_high,
        "neg_mean": -mean(negs),
        "mean_price": mean(prices),
        "spikes_per_year": len(spikes) / years,
        "big_spikes_per_year": len(big) / years,
        "neg_share": len(negs) / len(prices),
        "max_price": max(prices),
        "hours": len(prices),
    }


def normal_cdf(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def lognormal_capped_mean(mu, var, cap):
    """E[min(exp(Y), cap)] for Y ~ N(mu, var)."""
    sd = math.sqrt(var)
    z = (math.log(cap) - mu) / sd
    return math.exp(mu + var / 2) * normal_cdf(z - sd) + cap * (1 - normal_cdf(z))


def model_mean_price(p):
    """The generator's expected mean price over the synthetic year 2024 (UTC hours).

    Base hours: a lognormal (the AR(1) at its stationary variance) capped at the
    spike threshold, as synthetic_market.cpp draws them."""
    v = p["sigma"] ** 2 / (1 - p["phi"] ** 2)
    L, M, U = SPIKE_THRESHOLD, BIG_SPIKE_THRESHOLD, OFFER_CAP
    a = p["alpha_low"]
    r = (L / M) ** a
    # Mean of the Pareto(a, L) truncated to [L, M].
    if abs(a - 1) < 1e-12:
        low_mean = L * math.log(M / L) / (1 - r)
    else:
        low_mean = a * L / (a - 1) * (1 - (L / M) ** (a - 1)) / (1 - r)
    b = p["alpha_high"]
    # Mean of min(Pareto(b, M), U).
    high_mean = b * M / (b - 1) * (1 - (M / U) ** (b - 1)) + U * (M / U) ** b
    spike_mean = (1 - p["big_share"]) * low_mean + p["big_share"] * high_mean
    total = 0.0
    t = dt.datetime(2024, 1, 1)
    n = 0
    while t < dt.datetime(2025, 1, 1):
        m = t + MARKET_OFFSET
        s, h = season_of(m.month), m.hour
        ps, pn = p["spike_prob"][s][h], p["neg_prob"][s][h]
        mu = p["month_level"][m.month - 1] + p["shape"][s][h]
        base = lognormal_capped_mean(mu, v, SPIKE_THRESHOLD)
        total += ps * spike_mean - pn * p["neg_mean"] + (1 - ps - pn) * base
        n += 1
        t += dt.timedelta(hours=1)
    return total / n


# ---------------------------------------------------------------- hashprice


def derive_hashprice(data):
    epochs = []
    for r in read_rows(os.path.join(data, EPOCHS_FILE)):
        epochs.append(
            (
                int(r["epoch_start_height"]),
                parse_utc(r["epoch_start_utc"]),
                parse_utc(r["epoch_end_utc"]),
                float(r["difficulty"]),
            )
        )
    price_rows = read_rows(os.path.join(data, PRICE_FILE))
    close = {parse_day(r["date"]): float(r["close_usd"]) for r in price_rows}
    fee_rows = read_rows(os.path.join(data, FEES_FILE))
    fees = {parse_day(r["date"]): float(r["fees_btc"]) for r in fee_rows}
    network = read_rows(os.path.join(data, NETWORK_FILE))
    blocks = {parse_day(r["date"]): int(r["block_count"]) for r in network}
    # The UTC day the halving's first block was mined: the first day of the
    # year on which most blocks paid the new subsidy (mean subsidy per block
    # below the midpoint; the daily file is off by a block or two on some days).
    midpoint = 0.5 * (SUBSIDY_BEFORE_BTC + SUBSIDY_AFTER_BTC)
    halving_day = next(
        parse_day(r["date"])
        for r in network
        if r["date"].startswith(str(HASHPRICE_YEAR))
        and float(r["subsidy_btc"]) < midpoint * int(r["block_count"])
    )

    def fees_per_block(day):
        f = 0.0
        n = 0
        for k in range(1, FEE_WINDOW_DAYS + 1):
            d = day - dt.timedelta(days=k)
            if d in fees and d in blocks:
                f += fees[d]
                n += blocks[d]
        assert n > 0, day
        return f / n

    def state(day):
        """BuildMarket's history rules at 00:00 UTC of `day`."""
        t = dt.datetime(day.year, day.month, day.day)
        e = [x for x in epochs if x[1] <= t < x[2]]
        assert len(e) == 1, day
        start_height, start, end, difficulty = e[0]
        elapsed = int((t - start).total_seconds())
        duration = int((end - start).total_seconds())
        height = start_height + 2016 * elapsed // duration
        subsidy_sats = (50 * 100_000_000) >> (height // 210_000)
        fee = fees_per_block(day)
        reward = subsidy_sats / 1e8 + fee
        btc_per_th_day = 86400e12 / (difficulty * 2.0**32) * reward
        price = close[day - dt.timedelta(days=1)]
        return {
            "day": day,
            "subsidy": subsidy_sats,
            "fee": fee,
            "btc_per_th_day": btc_per_th_day,
            "price": price,
            "hashprice": btc_per_th_day * price,
        }

    first = dt.date(HASHPRICE_YEAR, 1, 1)
    last = dt.date(HASHPRICE_YEAR + 1, 1, 1)
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    states = [state(d) for d in days]

    # The subsidy-driven drop: what halving the subsidy does to BTC/TH/day at
    # the fees per block known on the halving day (the window before it).
    fee_before = states[days.index(halving_day)]["fee"]
    # Where the history series (height interpolated in its epoch) shows the cut.
    halving = next(i for i in range(1, len(states)) if states[i]["subsidy"] < states[i - 1]["subsidy"])
    drop = (SUBSIDY_AFTER_BTC + fee_before) / (SUBSIDY_BEFORE_BTC + fee_before)

    rp = []
    rb = []
    for i in range(1, len(states)):
        rp.append(math.log(states[i]["price"] / states[i - 1]["price"]))
        r = math.log(states[i]["btc_per_th_day"] / states[i - 1]["btc_per_th_day"])
        if i == halving:
            r -= math.log(drop)  # keep the day's other moves (fees), not the subsidy cut
        rb.append(r)
    mp, mb = mean(rp), mean(rb)
    sp, sb = sample_sd(rp), sample_sd(rb)
    cov = sum((x - mp) * (y - mb) for x, y in zip(rp, rb)) / (len(rp) - 1)
    rho = cov / (sp * sb)
    rh = [x + y for x, y in zip(rp, rb)]
    hp_2024 = [s["hashprice"] for s in states[:-1]]
    return {
        "start": states[0],
        "halving_day": halving_day,
        "fee_before": fee_before,
        "drop": drop,
        "price_drift": mp,
        "price_vol": sp,
        "btc_drift": mb,
        "btc_vol": sb,
        "rho": rho,
        "hashprice_drift": mean(rh),
        "hashprice_vol": sample_sd(rh),
        "hashprice_mean_2024": mean(hp_2024),
        "hashprice_min_2024": min(hp_2024),
        "hashprice_max_2024": max(hp_2024),
        "hashprice_end": states[-1]["hashprice"],
        "returns": len(rp),
    }


# ---------------------------------------------------------------- output


def num(x):
    """Shortest text that reads back as the same double in C++."""
    text = repr(float(x))
    return text if ("." in text or "e" in text or "n" in text) else text + ".0"


def array_text(values, indent="    ", per_line=4):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(indent + ", ".join(num(v) for v in values[i : i + per_line]) + ",")
    return "\n".join(lines)


def table_text(name, rows, comment):
    out = [f"// {comment}", f"inline constexpr double {name}[4][24] = {{"]
    for s, row in enumerate(rows):
        out.append(f"    {{  // {['winter', 'spring', 'summer', 'autumn'][s]}")
        out.append(array_text(row, indent="        "))
        out.append("    },")
    out.append("};")
    return "\n".join(out)


def render(data_dir, power, model_mean, hp):
    files = "\n".join(f"//   {sha256(os.path.join(data_dir, f))}  {f}" for f in INPUTS)
    s = hp["start"]
    text = f"""// GENERATED by scripts/derive_default_market.py -- do not edit by hand.
// clang-format off
//
// Regenerate from the repository root (python3 standard library only):
//   python3 scripts/derive_default_market.py --data ../shared/data
// and check that the committed copy matches the data:
//   python3 scripts/derive_default_market.py --data ../shared/data --check
//
// Inputs (sha256, file in ../shared/data):
{files}
//
// The calibration of DefaultMarket() (src/sim/synthetic_market.h); docs/market.md
// describes the model. Power: ERCOT day-ahead HB_WEST, operating days 2023-01-01
// to 2024-12-31 ({power['hours']} hours). Calendar fields (month, season, hour)
// are in Central Standard Time (UTC-6), ERCOT's operating day; seasons are
// 0 winter (Dec-Feb), 1 spring (Mar-May), 2 summer (Jun-Aug), 3 autumn (Sep-Nov).
// An hour above {num(SPIKE_THRESHOLD)} USD/MWh is a spike, below 0 a negative hour, else a base hour.
// Hashprice: BuildMarket()'s history rules (src/data/market.h) at 00:00 UTC of
// each day of {HASHPRICE_YEAR}, with a {FEE_WINDOW_DAYS}-day fee window.

#ifndef MULLET_SIM_DEFAULT_MARKET_PARAMS_H_
#define MULLET_SIM_DEFAULT_MARKET_PARAMS_H_

namespace mullet::default_market {{

// ---- Power: base hours, log price = level[month] + shape[season][hour] + x,
// x(t) = phi * x(t-1) + sigma * N(0, 1).

// Mean natural log of the price (USD/MWh, floored at {num(LOG_FLOOR)}) over base hours, by month (Jan..Dec).
inline constexpr double kMonthMeanLogPrice[12] = {{
{array_text(power['month_level'])}
}};
{table_text('kHourShape', power['shape'], 'Mean log deviation from the month level over base hours, by season and CST hour.')}
// AR(1) of the residual log deviation over consecutive base hours.
inline constexpr double kLogDeviationPhi = {num(power['phi'])};
inline constexpr double kLogDeviationSigma = {num(power['sigma'])};  // residual, per hour
inline constexpr double kLogDeviationSd = {num(power['dev_sd'])};  // observed sd of the deviation

// ---- Power: spikes (above {num(SPIKE_THRESHOLD)} USD/MWh) and negative prices. Each comes on
// "event days": a CST operating day is a spike day with probability kSpikeDayShare[season];
// on such a day an hour spikes with probability kSpikeShare[season][hour] / kSpikeDayShare[season],
// so the share of spike hours per cell is kSpikeShare, and spikes cluster in days.
inline constexpr double kSpikeThreshold = {num(SPIKE_THRESHOLD)};  // USD/MWh
inline constexpr double kBigSpikeThreshold = {num(BIG_SPIKE_THRESHOLD)};  // USD/MWh
inline constexpr double kOfferCap = {num(OFFER_CAP)};  // USD/MWh, ERCOT HCAP (market rule, not derived)
{table_text('kSpikeShare', power['spike_prob'], 'Share of hours above the spike threshold, by season and CST hour.')}
inline constexpr double kSpikeDayShare[4] = {{
{array_text(power['spike_day_share'])}
}};
// Spike sizes: above kBigSpikeThreshold with probability kBigSpikeShare, then a
// Pareto(kBigSpikeAlpha) from kBigSpikeThreshold capped at kOfferCap; otherwise a
// Pareto(kSpikeAlpha) truncated to [kSpikeThreshold, kBigSpikeThreshold] (MLE fits).
inline constexpr double kBigSpikeShare = {num(power['big_share'])};
inline constexpr double kSpikeAlpha = {num(power['alpha_low'])};
inline constexpr double kBigSpikeAlpha = {num(power['alpha_high'])};
{table_text('kNegativeShare', power['neg_prob'], 'Share of hours below 0 USD/MWh, by season and CST hour.')}
inline constexpr double kNegativeDayShare[4] = {{
{array_text(power['neg_day_share'])}
}};
// Negative prices: minus an exponential draw with this mean (USD/MWh).
inline constexpr double kNegativeMeanMagnitude = {num(power['neg_mean'])};

// ---- Power: what the data shows, for tests and reports.
inline constexpr double kDataMeanPrice = {num(power['mean_price'])};  // USD/MWh
inline constexpr double kDataSpikeHoursPerYear = {num(power['spikes_per_year'])};  // above kSpikeThreshold
inline constexpr double kDataBigSpikeHoursPerYear = {num(power['big_spikes_per_year'])};  // above kBigSpikeThreshold
inline constexpr double kDataNegativeShare = {num(power['neg_share'])};
inline constexpr double kDataMaxPrice = {num(power['max_price'])};  // USD/MWh
// The generator's expected mean price over the synthetic year (analytic).
inline constexpr double kModelMeanPrice = {num(model_mean)};  // USD/MWh

// ---- Hashprice: daily, log BTC price and log BTC/TH/day are random walks with
// drift and correlated normal steps; hashprice = their product.
// 2024-01-01T00:00Z from history: BTC close of 2023-12-31, fees {num(s['fee'])} BTC/block.
inline constexpr double kStartBtcPrice = {num(s['price'])};  // USD/BTC
inline constexpr double kStartBtcPerThDay = {num(s['btc_per_th_day'])};  // BTC/TH/day
inline constexpr double kStartHashprice = {num(s['hashprice'])};  // USD/TH/day
inline constexpr double kBtcPriceDailyLogDrift = {num(hp['price_drift'])};
inline constexpr double kBtcPriceDailyLogVol = {num(hp['price_vol'])};
inline constexpr double kBtcPerThDayDailyLogDrift = {num(hp['btc_drift'])};  // net of the halving
inline constexpr double kBtcPerThDayDailyLogVol = {num(hp['btc_vol'])};
inline constexpr double kLogReturnCorrelation = {num(hp['rho'])};  // BTC price vs BTC/TH/day
// The halving: from 00:00 UTC of this day (block 840000's day in btc_network_daily.csv)
// BTC/TH/day is multiplied by (3.125 + f) / (6.25 + f), f = {num(hp['fee_before'])} BTC/block,
// the trailing fees per block known that day.
inline constexpr int kHalvingYear = {hp['halving_day'].year};
inline constexpr unsigned kHalvingMonth = {hp['halving_day'].month};
inline constexpr unsigned kHalvingDay = {hp['halving_day'].day};
inline constexpr double kHalvingDrop = {num(hp['drop'])};
// Hashprice itself ({hp['returns']} daily log returns, the halving's subsidy cut taken out):
// drift = sum of the two drifts; vol includes the correlation.
inline constexpr double kHashpriceDailyLogDrift = {num(hp['hashprice_drift'])};
inline constexpr double kHashpriceDailyLogVol = {num(hp['hashprice_vol'])};
inline constexpr double kDataHashpriceMean2024 = {num(hp['hashprice_mean_2024'])};  // USD/TH/day
inline constexpr double kDataHashpriceMin2024 = {num(hp['hashprice_min_2024'])};
inline constexpr double kDataHashpriceMax2024 = {num(hp['hashprice_max_2024'])};
inline constexpr double kDataHashpriceEnd2024 = {num(hp['hashprice_end'])};  // at 2025-01-01T00:00Z

}}  // namespace mullet::default_market

// clang-format on
#endif  // MULLET_SIM_DEFAULT_MARKET_PARAMS_H_
"""
    return text


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(repo, "..", "shared", "data"))
    parser.add_argument(
        "--out", default=os.path.join(repo, "src", "sim", "default_market_params.h")
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with --out instead of writing it"
    )
    args = parser.parse_args()

    for f in INPUTS:
        if not os.path.isfile(os.path.join(args.data, f)):
            sys.exit(f"derive_default_market.py: {os.path.join(args.data, f)} is missing")
    power = derive_power(args.data)
    hp = derive_hashprice(args.data)
    text = render(args.data, power, model_mean_price(power), hp)
    if args.check:
        try:
            with open(args.out) as f:
                current = f.read()
        except OSError as e:
            sys.exit(f"derive_default_market.py: cannot read {args.out}: {e}")
        if current != text:
            sys.exit(f"derive_default_market.py: {args.out} is out of date; run without --check")
        print(f"{args.out} matches the data")
        return
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
