"""Sharing a run: its model on the Hugging Face Hub (push.py) with a model card (model_card.py)."""
