"""The ``seqkit`` command: ``seqkit demo`` and ``seqkit --version``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from seqkit._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seqkit", description="Keras-style sequence models "
                                     "for PyTorch.")
    parser.add_argument("--version", action="version", version=f"seqkit {__version__}")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", help="train an LSTM on the shipped airline passengers series and compare it "
        "with naive forecasts (no network)")
    demo.add_argument("--epochs", type=int, default=150, help="training epochs (default 150)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2),
                      help="training output: 0 none, 1 progress bar, 2 a line per epoch")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``seqkit`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "demo":
        parser.print_help()
        return 0
    from seqkit.demo import run_demo  # imports torch: only when needed

    print("seqkit demo: monthly airline passengers 1949-1960 (thousands), "
          "last 24 months held out, one-month-ahead forecasts")
    result = run_demo(epochs=args.epochs, seed=args.seed, verbose=args.verbose)
    print(f"test months: {result.test_months[0]} .. {result.test_months[-1]}")
    print(f"LSTM RMSE:           {result.lstm_rmse:8.2f}")
    print(f"seasonal-naive RMSE: {result.seasonal_naive_rmse:8.2f}  (same month last year)")
    print(f"naive RMSE:          {result.naive_rmse:8.2f}  (last month)")
    verdict = "beats" if result.lstm_rmse < result.seasonal_naive_rmse else "does NOT beat"
    print(f"The LSTM {verdict} the seasonal-naive forecast.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
