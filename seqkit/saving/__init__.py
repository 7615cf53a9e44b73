"""Safe model files: ``save_model`` / ``load_model`` (zip of JSON + safetensors)."""

from seqkit.saving.load import load_model
from seqkit.saving.save import save_model

__all__ = ["load_model", "save_model"]
