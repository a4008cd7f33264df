"""Predict, then reveal: the kinds of question, generated from a seed, revealed on the server."""
