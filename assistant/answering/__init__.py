"""Answering: retrieval, the answer-or-refuse decision, the backends, citations and verification."""
