"""Data (real, synthetic, downloaded), training loop, evaluation. Imports only core."""
