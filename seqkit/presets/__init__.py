"""Presets: ordinary, compiled ``Sequential`` models for the common jobs."""

from seqkit.presets.classification import sequence_classifier, text_classifier
from seqkit.presets.regression import forecast, forecaster, regressor

__all__ = ["forecast", "forecaster", "regressor", "sequence_classifier", "text_classifier"]
