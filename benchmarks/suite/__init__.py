"""The performance suite: seqkit against raw PyTorch, plain Lightning and Keras 3.

Every variant trains (or predicts with) the same model on the same data, each run in its
own subprocess (frameworks keep global state), runs interleaved; the first epoch of every
run is a warm-up and dropped. Modules, one job each:

* :mod:`~benchmarks.suite.configs`: the configurations (sizes, epochs) per device;
* :mod:`~benchmarks.suite.data`: the synthetic data, identical in every process;
* :mod:`~benchmarks.suite.reference`: the hand-written ``torch.nn`` models;
* ``variant_*``: one framework each (torch loops, Lightning, Keras, seqkit);
* :mod:`~benchmarks.suite.worker`: one run of one variant, with time and memory;
* :mod:`~benchmarks.suite.driver`: interleaving, medians, ratios and targets;
* :mod:`~benchmarks.suite.cli`: ``python -m benchmarks``.
"""
