"""Compact NER pipelines shipped with newsetl (one folder per language), trained by models/train.py."""
