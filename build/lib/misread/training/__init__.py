"""Fine-tuning the framing classifier (training only; inference never imports this package)."""
