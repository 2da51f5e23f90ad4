"""The metric math: plain functions and frozen dataclasses over plain data, importing nothing of
Django or the apps (a contract in pyproject.toml says so). Each function's docstring states the
definition it implements; docs/ has the same definitions for readers of the APIs."""
