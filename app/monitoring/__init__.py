"""Watching a running Techniekpoort: /healthz, /readyz, /metrics and the log
format (views.init_app installs them). docs/OPERATIONS.md says how a
deployment uses them."""
