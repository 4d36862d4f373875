"""Ablation specs and the runner that scripts many training runs."""
