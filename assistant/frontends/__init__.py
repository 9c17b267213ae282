"""The front ends: the `assistant` command, the HTTP API and the web UI."""
