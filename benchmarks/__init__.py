"""seqkit's benchmarks: run the performance suite with ``python -m benchmarks``."""
