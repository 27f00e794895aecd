EXTRA_DIST += doc/cli.md doc/files.md doc/results.md doc/reference.md
