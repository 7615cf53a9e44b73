"""A CNN-LSTM forecaster of the airline passengers, built layer by layer as in Keras.

Causal convolutions (Conv1D(padding="causal"): each output sees only the months up to
its own) pick out local patterns in each window, MaxPooling1D halves the steps, and an
LSTM reads the result; Dense gives next month's value. As in airline_forecast.py, the
network learns the seasonal log-difference log(y[t]) - log(y[t-12]) and its forecasts
are turned back into passengers. The last 24 months (1959-1960) are held out and
forecast one step ahead (each from the true history up to the month before), next to a
plain LSTM trained the same way and the seasonal naive baseline (the same month a year
earlier). Both networks beat seasonal naive by far; on a series this short (84
training windows) the convolutions do not beat the plain LSTM (RMSE 21.1 against 16.7
with seed 0, 200 epochs): the front end pays off on longer windows and richer inputs.

Run: python examples/cnn_lstm_forecast.py (--fast for a short smoke run).
"""

from __future__ import annotations

import argparse

import numpy as np

# seqkit (and torch) are imported where they are used, so that --help answers at once.

SEASON = 12
TEST_MONTHS = 24
LOOKBACK = 24


def to_growth(passengers: np.ndarray) -> np.ndarray:
    """``log(y[t]) - log(y[t - 12])``: element ``k`` belongs to month ``k + 12``."""
    log_series = np.log(passengers.astype(np.float64))
    return (log_series[SEASON:] - log_series[:-SEASON]).astype(np.float32)


def cnn_lstm() -> object:
    """Conv1D x 2 (causal) -> MaxPooling1D -> LSTM -> Dense, on windows of 24 months."""
    import seqkit as sk

    return sk.Sequential([
        sk.Input((LOOKBACK, 1)),
        sk.Conv1D(16, 3, padding="causal", activation="relu"),
        sk.Conv1D(16, 3, padding="causal", dilation_rate=2, activation="relu"),
        sk.MaxPooling1D(2),
        sk.LSTM(16),
        sk.Dense(1),
    ], optimizer="adam", lr=3e-3, loss="mse")


def plain_lstm() -> object:
    import seqkit as sk

    return sk.Sequential([sk.Input((LOOKBACK, 1)), sk.LSTM(16), sk.Dense(1)],
                         optimizer="adam", lr=3e-3, loss="mse")


def main(fast: bool = False, seed: int = 0) -> dict[str, dict[str, float]]:
    import seqkit as sk
    from seqkit.evaluation import format_table, mae, mape, rmse

    months, passengers = sk.datasets.airline_passengers()
    actual = passengers[-TEST_MONTHS:]
    same_month_last_year = passengers[-TEST_MONTHS - SEASON:-SEASON]
    growth = to_growth(passengers)
    x, y = sk.data.windows(growth, lookback=LOOKBACK)  # window i -> growth[i + 24]
    n_train = len(y) - TEST_MONTHS
    print(f"airline passengers: {len(passengers)} months; test: the last {TEST_MONTHS} "
          f"({months[-TEST_MONTHS]} .. {months[-1]}); {n_train} training windows of "
          f"{LOOKBACK} months")

    results = {}
    for name, build in (("cnn_lstm", cnn_lstm), ("lstm", plain_lstm)):
        model = build()
        model.fit(x[:n_train], y[:n_train], epochs=10 if fast else 200, batch_size=16,
                  verbose=0, seed=seed)
        forecast = same_month_last_year * np.exp(model.predict(x[n_train:], verbose=0)[:, 0])
        results[name] = {"mae": mae(actual, forecast), "rmse": rmse(actual, forecast),
                         "mape": mape(actual, forecast)}
        if name == "cnn_lstm":
            model.summary()
    results["seasonal_naive"] = {"mae": mae(actual, same_month_last_year),
                                 "rmse": rmse(actual, same_month_last_year),
                                 "mape": mape(actual, same_month_last_year)}
    print(f"\none step ahead over the {TEST_MONTHS} test months:")
    print(format_table(results))
    ratio = results["cnn_lstm"]["rmse"] / results["seasonal_naive"]["rmse"]
    verdict = "beats" if ratio < 1 else "does not beat"
    print(f"the CNN-LSTM {verdict} seasonal naive (RMSE ratio {ratio:.2f})")
    return results


def parse_arguments() -> argparse.Namespace:
    """The command line (parsed before seqkit is imported)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="a short smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.fast:
        import torch

        torch.set_num_threads(1)  # smoke runs share small CI machines
    main(fast=arguments.fast, seed=arguments.seed)
